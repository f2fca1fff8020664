package dev.tailor;

import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings under {@code tailor.*}; environment variables bind by Spring's relaxed rules
 * ({@code TAILOR_HOME} is {@code tailor.home}).
 *
 * @param home the data directory: the embedded PostgreSQL's files live below it
 */
@Validated
@ConfigurationProperties("tailor")
public record TailorProperties(
        @NotNull @DefaultValue("./data") Path home) {

    public Path postgresDataDirectory() {
        return home.resolve("postgres");
    }
}
