package dev.tailor.api;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Validates a response against the checked-in {@code api-spec/openapi.yaml}, so a test catches a spec
 * that says "string" where the server sends an object, a field the spec does not name, or a status the
 * operation does not declare: the served spec is generated from the same annotations, so comparing the
 * two cannot.
 *
 * <p>Strict where the generated spec is loose: an object schema that lists its properties allows no
 * others (the spec would otherwise describe a body it has never seen), and {@code format}s such as
 * {@code uuid} and {@code date-time} are asserted. Problem bodies stay open: RFC 9457 allows extension
 * members, and Tailor sends some (closestReachable, progress).
 */
public final class SpecSchemas {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path SPEC = Path.of("api-spec/openapi.yaml");
    private static JsonNode spec;

    private SpecSchemas() {}

    /** What in {@code body} the spec's {@code components.schemas.<name>} does not allow; empty when it conforms. */
    public static List<String> violations(String name, JsonNode body) {
        if (!spec().path("components").path("schemas").has(name)) {
            throw new IllegalArgumentException("the spec has no schema named " + name);
        }
        ObjectNode reference = JSON.createObjectNode();
        reference.put("$ref", "#/components/schemas/" + name);
        return schemaViolations(reference, body);
    }

    /**
     * What is wrong with {@code response} as an answer of the spec's operation {@code operationId}: a
     * status it does not declare, a content type it does not declare for that status, or a JSON body that
     * the schema declared for both does not allow. Empty when it conforms.
     */
    public static List<String> responseViolations(String operationId, HttpResponse<String> response) {
        return responseViolations(
                operationId,
                response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null),
                response.body());
    }

    /** As {@link #responseViolations(String, HttpResponse)}, for a status, content type and body. */
    public static List<String> responseViolations(String operationId, int status, String contentType, String body) {
        JsonNode operation = operation(operationId);
        JsonNode responses = operation.path("responses");
        JsonNode declared = declaredResponse(responses, status);
        String what = operationId + " answered " + status;
        if (declared == null) {
            List<String> codes = new ArrayList<>();
            responses.propertyNames().forEach(codes::add);
            return List.of(what + ", a status it does not declare (it declares " + codes + ")");
        }
        JsonNode content = declared.path("content");
        boolean empty = body == null || body.isEmpty();
        if (content.isMissingNode() || content.isEmpty()) {
            return empty ? List.of() : List.of(what + " with a body where it declares none: " + body);
        }
        if (contentType == null) {
            return empty ? List.of() : List.of(what + " with a body but no Content-Type");
        }
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        JsonNode media = content.path(mediaType);
        if (media.isMissingNode()) {
            List<String> types = new ArrayList<>();
            content.propertyNames().forEach(types::add);
            return List.of(what + " as " + mediaType + ", a content type it does not declare for it " + types);
        }
        if (!(mediaType.equals("application/json") || mediaType.endsWith("+json")) || !media.has("schema")) {
            return List.of();
        }
        JsonNode parsed;
        try {
            parsed = JSON.readTree(body);
        } catch (JacksonException e) {
            return List.of(what + " with a body that is not JSON: " + body);
        }
        return schemaViolations(media.path("schema"), parsed).stream()
                .map(violation -> what + ": " + violation)
                .toList();
    }

    /**
     * What in the {@code data} of the server-sent events in {@code stream} the spec's
     * {@code components.schemas.<name>} does not allow (the events carry a resource as its GET returns
     * it); empty when every event's data conforms.
     */
    public static List<String> eventDataViolations(String name, String stream) {
        List<String> violations = new ArrayList<>();
        for (String event : stream.replace("\r\n", "\n").split("\n\n")) {
            List<String> data = event.lines()
                    .filter(line -> line.startsWith("data:"))
                    .map(line -> line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5))
                    .toList();
            if (!data.isEmpty()) {
                violations.addAll(violations(name, JSON.readTree(String.join("\n", data))));
            }
        }
        return violations;
    }

    /** The declared status code {@code status} falls under: itself, its class (2XX) or default. */
    private static JsonNode declaredResponse(JsonNode responses, int status) {
        for (String code : List.of(String.valueOf(status), status / 100 + "XX", "default")) {
            if (responses.has(code)) {
                return responses.path(code);
            }
        }
        return null;
    }

    private static JsonNode operation(String operationId) {
        for (JsonNode path : spec().path("paths")) {
            for (JsonNode operation : path) {
                if (operationId.equals(operation.path("operationId").asString(null))) {
                    return operation;
                }
            }
        }
        throw new IllegalArgumentException("the spec has no operation " + operationId);
    }

    private static List<String> schemaViolations(JsonNode schema, JsonNode body) {
        ObjectNode root = (ObjectNode) schema.deepCopy();
        root.set("components", strictComponents());
        Schema compiled = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(root.toString());
        return compiled
                .validate(body, context -> context.executionConfig(config -> config.formatAssertionsEnabled(true)))
                .stream()
                .map(Error::toString)
                .toList();
    }

    private static JsonNode strictComponents;

    /** The spec's components with every object schema that lists its properties closed to others. */
    private static synchronized JsonNode strictComponents() {
        if (strictComponents == null) {
            JsonNode components = spec().path("components").deepCopy();
            components.path("schemas").properties().forEach(schema -> {
                if (!schema.getKey().equals("Problem")) {
                    close(schema.getValue());
                }
            });
            strictComponents = components;
        }
        return strictComponents;
    }

    private static void close(JsonNode schema) {
        if (schema instanceof ObjectNode object) {
            if (object.has("properties") && !object.has("additionalProperties")) {
                object.put("additionalProperties", false);
            }
            object.path("properties").forEach(SpecSchemas::close);
            close(object.path("items"));
            object.path("anyOf").forEach(SpecSchemas::close);
            object.path("oneOf").forEach(SpecSchemas::close);
        }
    }

    private static synchronized JsonNode spec() {
        if (spec == null) {
            try {
                Map<String, Object> loaded = new Yaml().load(Files.readString(SPEC));
                spec = JSON.valueToTree(loaded);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return spec;
    }
}
