package dev.tailor.security;

import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings under {@code tailor.security} ({@code TAILOR_SECURITY_READS}, {@code TAILOR_SECURITY_OPERATOR_KEY}).
 *
 * @param reads {@code open}: anyone may read and ask for specializations (the single-machine default);
 *     {@code keyed}: those need a viewer key too (what the Helm chart sets). Writes always need a key.
 * @param operatorKey an operator key to accept, from a Secret, say (at least 32 characters); when it
 *     is set no first key is printed
 */
@Validated
@ConfigurationProperties("tailor.security")
public record AccessProperties(
        @DefaultValue("open") Reads reads,

        @Pattern(
                regexp = "^$|^\\S{32,}$",
                message = "must be at least 32 characters without spaces; make one with" + " 'openssl rand -base64 32'")
        String operatorKey) {

    public enum Reads {
        OPEN,
        KEYED
    }
}
