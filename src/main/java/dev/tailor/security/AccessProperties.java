package dev.tailor.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings under {@code tailor.security} ({@code TAILOR_SECURITY_READS}, {@code TAILOR_SECURITY_OPERATOR_KEY}).
 *
 * @param reads {@code open}: anyone may read and ask for specializations (the single-machine default);
 *     {@code keyed}: those need a viewer key too (what the Helm chart sets). Writes always need a key.
 * @param operatorKey an operator key to accept, from a Secret, say (at least 32 characters); when it
 *     is set no first key is printed
 */
@ConfigurationProperties("tailor.security")
public record AccessProperties(@DefaultValue("open") Reads reads, String operatorKey) {

    public enum Reads {
        OPEN,
        KEYED
    }
}
