package dev.tailor.api;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Validates a response body against a schema of the checked-in {@code api-spec/openapi.yaml}, so
 * a test catches a spec that says "string" where the server sends an object: the served spec is
 * generated from the same annotations, so comparing the two cannot.
 */
public final class SpecSchemas {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static JsonNode components;

    private SpecSchemas() {}

    /** What in {@code body} the spec's {@code components.schemas.<name>} does not allow; empty when it conforms. */
    public static List<String> violations(String name, JsonNode body) {
        ObjectNode root = JSON.createObjectNode();
        root.put("$ref", "#/components/schemas/" + name);
        root.set("components", components());
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(root.toString());
        return schema.validate(body).stream().map(Error::toString).toList();
    }

    private static synchronized JsonNode components() {
        if (components == null) {
            try {
                Map<String, Object> spec = new Yaml().load(Files.readString(Path.of("api-spec/openapi.yaml")));
                components = JSON.valueToTree(spec).path("components");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return components;
    }
}
