package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.tailor.security.TestKeys;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Hostile input generated from the checked-in OpenAPI description, against every operation: each
 * body field given wrong types, huge, negative and non-finite numbers, long and odd Unicode strings,
 * null, nested values; required fields left out, unknown ones added; bodies that are not JSON or not
 * objects, wrong content types; path and query parameters likewise; each with no key, a bad key, a
 * viewer, an agent and an operator key. No 5xx; every 4xx is a problem body that validates against
 * the spec's Problem schema; a refused write stores nothing. Worker off: a request that happens to be
 * valid only queues.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false",
            "tailor.worker.enabled=false",
            "tailor.test.context=sweep"
        })
class BadInputSweepTest extends ApiTestSupport {

    private static final String DEVICE = "sweep-device";
    private static final List<String> TABLES = List.of(
            "artifact",
            "supernet",
            "subnet",
            "evaluation",
            "device",
            "latency_measurement",
            "training_job",
            "scheduled_tasks",
            "catalogue_build",
            "accuracy_predictor",
            "specialization",
            "latency_model",
            "api_key");

    /** Values no field of this API takes as they are (JSON text). */
    private static final List<String> BAD_VALUES = List.of(
            "\"\"",
            "\"" + "x".repeat(100_000) + "\"",
            "\"名前\"",
            "\"\\u202e\\u200b\\u0000\"",
            "\"\\ud83d\\ude00\\ud83d\\ude00\"",
            "\"NaN\"",
            "\"Infinity\"",
            "\"-1\"",
            "-1",
            "0",
            "-0.0",
            "1e308",
            "-1e308",
            "1e-320",
            "9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            "0.5",
            "true",
            "null",
            "[]",
            "[1,2,3]",
            "{}",
            "{\"nested\":{\"deeper\":[null]}}",
            "\"../../etc/passwd\"",
            "\"<script>alert(1)</script>\"",
            "\"' OR 1=1 --\"");

    /** Whole bodies that are not what any operation takes, with the content type they are sent as. */
    private static final List<String[]> BAD_BODIES = List.of(
            new String[] {"application/json", ""},
            new String[] {"application/json", "{"},
            new String[] {"application/json", "{\"a\":}"},
            new String[] {"application/json", "nul"},
            new String[] {"application/json", "[]"},
            new String[] {"application/json", "\"text\""},
            new String[] {"application/json", "42"},
            new String[] {"application/json", "[".repeat(5_000) + "]".repeat(5_000)},
            new String[] {"application/json", "{\"a\":1,\"a\":2}"},
            new String[] {"application/json", "\u00ff\u00fe{}"},
            new String[] {"text/plain", "{}"},
            new String[] {"application/xml", "<a/>"},
            new String[] {"application/x-www-form-urlencoded", "a=1"},
            new String[] {"multipart/form-data; boundary=x", "--x--"});

    /** Path and query parameter values (raw, encoded when sent). */
    private static final List<String> BAD_PARAMETERS = List.of(
            "",
            " ",
            "x".repeat(3_000),
            "名前",
            "\u202e\u200b",
            "\ud83d\ude00",
            "-1",
            "0",
            "99999999999999999999999",
            "NaN",
            "1e999",
            "..",
            "../../etc/passwd",
            "%00",
            "null",
            "true",
            "[]",
            "' OR 1=1 --");

    @Autowired
    JdbcClient jdbc;

    private record Sent(String method, String path, String key, int status) {}

    @Test
    @SuppressWarnings("unchecked")
    void tenThousandHostileRequestsGetNo5xxOnlyProblemBodiesAndStoreNothing() throws IOException {
        Map<String, Object> spec = new Yaml().load(Files.readString(Path.of("api-spec/openapi.yaml")));
        JsonNode specJson = json.valueToTree(spec);
        Schema problemSchema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(specJson.path("components")
                        .path("schemas")
                        .path("Problem")
                        .toString());

        assertThat(postJson("/api/v1/devices", "{\"name\":\"" + DEVICE + "\"}").statusCode())
                .isEqualTo(201);
        String agent = body(postJson("/api/v1/devices/" + DEVICE + "/agent-token", ""))
                .path("token")
                .asString();
        String viewer = body(postJson("/api/v1/api-keys", "{\"name\":\"sweep-viewer\",\"role\":\"viewer\"}"))
                .path("key")
                .asString();
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("none", null);
        keys.put("bad", "tlr_not-a-key");
        keys.put("viewer", viewer);
        keys.put("agent", agent);
        keys.put("operator", TestKeys.OPERATOR);

        List<Sent> sent = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        Map<String, Object> paths = (Map<String, Object>) spec.get("paths");
        for (var path : paths.entrySet()) {
            for (var entry : ((Map<String, Map<String, Object>>) path.getValue()).entrySet()) {
                String method = entry.getKey().toUpperCase(Locale.ROOT);
                Map<String, Object> operation = entry.getValue();
                for (Request request : requests(path.getKey(), method, operation, specJson)) {
                    for (var key : keys.entrySet()) {
                        int status = check(request, key.getValue(), problemSchema);
                        statuses.merge(status, 1, Integer::sum);
                        sent.add(new Sent(method, request.path(), key.getKey(), status));
                    }
                }
            }
        }

        String summary = sent.size() + " requests; statuses " + statuses;
        Files.writeString(Path.of("target/bad-input-sweep.txt"), summary + "\n");
        assertThat(sent.size()).as(summary).isGreaterThanOrEqualTo(10_000);
        assertThat(statuses.keySet()).as(summary).allMatch(status -> status < 500 || status == 503);
    }

    private record Request(String method, String path, String contentType, String body) {
        Request(String path, String contentType, String body) {
            this(null, path, contentType, body);
        }
    }

    /** The requests for one operation: each parameter and each body field spoiled in turn, and whole bodies. */
    @SuppressWarnings("unchecked")
    private List<Request> requests(String template, String method, Map<String, Object> operation, JsonNode spec) {
        Map<String, String> good = new LinkedHashMap<>();
        List<Map<String, Object>> parameters =
                (List<Map<String, Object>>) operation.getOrDefault("parameters", List.of());
        for (Map<String, Object> parameter : parameters) {
            good.put((String) parameter.get("name"), plausible((Map<String, Object>) parameter.get("schema")));
        }
        List<Request> requests = new ArrayList<>();
        String body = null;
        JsonNode bodySchema = null;
        if (operation.get("requestBody") instanceof Map<?, ?> requestBody) {
            String ref = ((Map<String, Map<String, Map<String, String>>>) requestBody.get("content"))
                    .get("application/json")
                    .get("schema")
                    .get("$ref");
            bodySchema = spec.at(ref.substring(1));
            body = plausibleBody(bodySchema).toString();
        }
        for (Map<String, Object> parameter : parameters) {
            String name = (String) parameter.get("name");
            String in = (String) parameter.get("in");
            if (in.equals("header")) {
                continue;
            }
            for (String bad : BAD_PARAMETERS) {
                Map<String, String> spoiled = new LinkedHashMap<>(good);
                spoiled.put(name, bad);
                requests.add(new Request(url(template, parameters, spoiled), "application/json", body));
            }
        }
        String url = url(template, parameters, good);
        if (bodySchema != null) {
            ObjectNode base = plausibleBody(bodySchema);
            List<String> fields = new ArrayList<>();
            bodySchema.path("properties").propertyNames().forEach(fields::add);
            for (String field : fields) {
                for (String bad : BAD_VALUES) {
                    ObjectNode spoiled = base.deepCopy();
                    spoiled.set(field, json.readTree(bad));
                    requests.add(new Request(url, "application/json", spoiled.toString()));
                }
                ObjectNode without = base.deepCopy();
                without.remove(field);
                requests.add(new Request(url, "application/json", without.toString()));
            }
            ObjectNode extra = base.deepCopy();
            extra.put("unknownField", 1);
            requests.add(new Request(url, "application/json", extra.toString()));
            for (String[] bad : BAD_BODIES) {
                requests.add(new Request(url, bad[0], bad[1]));
            }
        } else if (!method.equals("GET") && !method.equals("DELETE")) {
            for (String[] bad : BAD_BODIES) {
                requests.add(new Request(url, bad[0], bad[1]));
            }
        }
        return requests.stream()
                .map(r -> new Request(method, r.path(), r.contentType(), r.body()))
                .toList();
    }

    /** Sends one request, checks it, and returns its status. */
    private int check(Request request, String key, Schema problemSchema) {
        String method = request.method();
        String path = request.path();
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        if (key != null) {
            builder.header("Authorization", "Bearer " + key);
        }
        if (request.body() != null) {
            builder.header("Content-Type", request.contentType());
        }
        builder.method(
                method,
                request.body() == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(request.body()));
        boolean write = !method.equals("GET");
        Map<String, Long> before = write ? counts() : Map.of();
        HttpResponse<String> response = send(builder.build());
        String what =
                method + " " + path + " key=" + (key == null ? "none" : key.substring(0, Math.min(8, key.length())))
                        + " body=" + abbreviate(request.body()) + " -> " + response.statusCode() + " "
                        + abbreviate(response.body());
        int status = response.statusCode();
        if (status == 503) {
            // the one 5xx the API documents: no trained supernet yet (this context has none) for a budget
            // that is otherwise acceptable; it says when to come back and stores nothing
            assertThat(method + " " + path).as(what).isEqualTo("POST /api/v1/specializations");
            assertThat(response.headers().firstValue("Retry-After")).as(what).isPresent();
            assertThat(json.readTree(response.body()).path("type").asString())
                    .as(what)
                    .isEqualTo("urn:tailor:problem:not-ready");
        } else {
            assertThat(status).as(what).isLessThan(500);
        }
        if (status >= 400) {
            assertThat(response.headers().firstValue("Content-Type").orElse(""))
                    .as(what)
                    .startsWith("application/problem+json");
            JsonNode problem = json.readTree(response.body());
            assertThat(problemSchema.validate(problem)).as(what).isEmpty();
            assertThat(problem.path("status").asInt()).as(what).isEqualTo(status);
            assertThat(problem.path("detail").asString()).as(what).isNotBlank();
            if (write) {
                assertThat(counts()).as("nothing stored: " + what).isEqualTo(before);
            }
        }
        return status;
    }

    private Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : TABLES) {
            counts.put(
                    table,
                    jdbc.sql("select count(*) from " + table).query(Long.class).single());
        }
        return counts;
    }

    @SuppressWarnings("unchecked")
    private String url(String template, List<Map<String, Object>> parameters, Map<String, String> values) {
        String path = template;
        StringBuilder query = new StringBuilder();
        for (Map<String, Object> parameter : parameters) {
            String name = (String) parameter.get("name");
            String value = encode(values.get(name));
            switch ((String) parameter.get("in")) {
                case "path" -> path = path.replace("{" + name + "}", value);
                case "query" ->
                    query.append(query.isEmpty() ? "?" : "&")
                            .append(name)
                            .append('=')
                            .append(value);
                default -> {}
            }
        }
        return path + query;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A value the parameter's schema allows, so that only the spoiled one is wrong. */
    private String plausible(Map<String, Object> schema) {
        if ("uuid".equals(schema.get("format"))) {
            return UUID.nameUUIDFromBytes(new byte[] {1}).toString();
        }
        return switch (String.valueOf(schema.get("type"))) {
            case "integer", "number" -> "1";
            default -> DEVICE;
        };
    }

    private ObjectNode plausibleBody(JsonNode schema) {
        ObjectNode body = json.createObjectNode();
        schema.path("properties").properties().forEach(property -> {
            JsonNode field = property.getValue();
            if (field.has("enum")) {
                body.put(property.getKey(), field.path("enum").get(0).asString());
            } else if ("uuid".equals(field.path("format").asString())) {
                body.put(
                        property.getKey(),
                        UUID.nameUUIDFromBytes(new byte[] {2}).toString());
            } else {
                switch (field.path("type").asString()) {
                    case "integer", "number" -> body.put(property.getKey(), 1);
                    case "boolean" -> body.put(property.getKey(), true);
                    default -> body.put(property.getKey(), "x");
                }
            }
        });
        return body;
    }

    private static String abbreviate(String text) {
        return text == null ? "-" : text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
