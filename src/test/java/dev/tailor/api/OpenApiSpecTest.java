package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The checked-in spec is the contract: the spec the running service serves must equal it.
 * After an intended API change, refresh it with {@code ./mvnw test -Dtest=OpenApiSpecTest -Dtailor.writeSpec=true}
 * and review the diff.
 */
class OpenApiSpecTest extends ApiTestSupport {

    private static final Path SPEC = Path.of("api-spec/openapi.yaml");

    @Test
    void servedSpecEqualsTheCheckedInFile() throws IOException {
        var response = get("/v3/api-docs.yaml");
        assertThat(response.statusCode()).isEqualTo(200);
        String served = response.body();
        if (Boolean.getBoolean("tailor.writeSpec")) {
            Files.writeString(SPEC, served);
        }
        assertThat(SPEC).as("api-spec/openapi.yaml exists").exists();
        Object expected = new Yaml().load(Files.readString(SPEC));
        Object actual = new Yaml().load(served);
        assertThat(actual)
                .as("the served OpenAPI spec differs from api-spec/openapi.yaml; if the API change is intended,"
                        + " run ./mvnw test -Dtest=OpenApiSpecTest -Dtailor.writeSpec=true and review the diff")
                .isEqualTo(expected);
    }

    @Test
    void swaggerUiIsServed() {
        var response = get("/swagger-ui/index.html");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("Swagger UI");
    }
}
