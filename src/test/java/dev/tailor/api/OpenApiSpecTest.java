package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    @SuppressWarnings("unchecked")
    void everyReferenceResolvesAndEveryPatternMatchesOnlyWhatTheServerTakes() throws IOException {
        Map<String, Object> spec = new Yaml().load(Files.readString(SPEC));
        Map<String, Object> schemas =
                (Map<String, Object>) ((Map<String, Object>) spec.get("components")).get("schemas");
        List<String> refs = new ArrayList<>();
        List<String> patterns = new ArrayList<>();
        collect(spec, refs, patterns);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).startsWith("#/components/schemas/");
            assertThat(schemas).as("the schema " + ref + " refers to").containsKey(ref.substring(21));
        }
        assertThat(patterns).isNotEmpty();
        for (String pattern : patterns) {
            // a JSON Schema pattern is a search: unanchored, it accepts any value with a match inside
            assertThat(java.util.regex.Pattern.compile(pattern)
                            .matcher("Has Spaces")
                            .find())
                    .as(pattern)
                    .isFalse();
            assertThat(java.util.regex.Pattern.compile(pattern)
                            .matcher("jetson-nano")
                            .find())
                    .as(pattern)
                    .isTrue();
        }
        // and the server refuses what the pattern refuses
        var refused = postJson("/api/v1/devices", "{\"name\":\"Has Spaces\"}");
        assertThat(refused.statusCode()).isEqualTo(400);
    }

    @SuppressWarnings("unchecked")
    private static void collect(Object node, List<String> refs, List<String> patterns) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                if ("$ref".equals(key) && value instanceof String ref) {
                    refs.add(ref);
                } else if ("pattern".equals(key) && value instanceof String pattern) {
                    patterns.add(pattern);
                } else {
                    collect(value, refs, patterns);
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collect(item, refs, patterns));
        }
    }

    @Test
    void swaggerUiIsServed() {
        var response = get("/swagger-ui/index.html");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("Swagger UI");
    }
}
