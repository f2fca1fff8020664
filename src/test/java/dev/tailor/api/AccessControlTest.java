package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.catalogue.Artifact;
import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.onnx.OnnxExport;
import dev.tailor.security.TestKeys;
import dev.tailor.training.Checkpoint;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

/**
 * Access control with the defaults of a single-machine setup: reads and specializations open,
 * every write needs an operator key, agent keys do only their device's work, checkpoints are not public.
 */
class AccessControlTest extends ApiTestSupport {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ArtifactRepository artifacts;

    private String key(String role, String device) {
        String name = role + "-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = postJson(
                "/api/v1/api-keys",
                "{\"name\":\"" + name + "\",\"role\":\"" + role + "\""
                        + (device == null ? "" : ",\"device\":\"" + device + "\"") + "}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(SpecSchemas.responseViolations("createApiKey", created)).isEmpty();
        JsonNode body = body(created);
        assertThat(created.headers().firstValue("Location"))
                .hasValue("/api/v1/api-keys/" + body.path("details").path("id").asLong());
        return body.path("key").asString();
    }

    private long count(String table) {
        return jdbc.sql("select count(*) from " + table).query(Long.class).single();
    }

    @Test
    void writesWithoutAKeyAre401AndStoreNothing() {
        long jobs = count("training_job");
        long devices = count("device");
        long keys = count("api_key");
        String device = "d-" + UUID.randomUUID().toString().substring(0, 8);
        List<String[]> writes = List.of(
                new String[] {"/api/v1/training-jobs", "{\"schedule\":\"deps\",\"epochs\":1}"},
                new String[] {"/api/v1/devices", "{\"name\":\"" + device + "\"}"},
                new String[] {"/api/v1/devices/jetson-nano/agent-token", ""},
                new String[] {"/api/v1/api-keys", "{\"name\":\"mine\",\"role\":\"operator\"}"},
                new String[] {"/api/v1/supernets/" + UUID.randomUUID() + "/catalogue-builds", "{}"});
        for (String[] write : writes) {
            HttpResponse<String> refused = postJsonAs(null, write[0], write[1]);
            JsonNode problem = problem(refused, 401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(problem.path("detail").asString()).contains("needs an operator key");
            assertThat(problem.path("errors").get(0).path("field").asString()).isEqualTo("Authorization");
        }
        assertThat(count("training_job")).isEqualTo(jobs);
        assertThat(count("device")).isEqualTo(devices);
        assertThat(count("api_key")).isEqualTo(keys);
    }

    @Test
    void aViewerReadsAndAsksForSpecializationsButWritesNothing() {
        String viewer = key("viewer", null);
        assertThat(getAs(viewer, "/api/v1/supernets").statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/devices").statusCode()).isEqualTo(200);
        JsonNode problem = problem(postJsonAs(viewer, "/api/v1/training-jobs", "{\"epochs\":1}"), 403);
        assertThat(problem.path("detail").asString())
                .contains("needs an operator key")
                .contains("role viewer");
        problem(postJsonAs(viewer, "/api/v1/devices/jetson-nano/agent-token", ""), 403);
        problem(getAs(viewer, "/api/v1/api-keys"), 403);
        // a specialization is a read: refused for what it asks, never for who asks
        int specialization = postJsonAs(viewer, "/api/v1/specializations", "{\"device\":\"host-cpu\",\"latencyMs\":1}")
                .statusCode();
        assertThat(specialization).isNotIn(401, 403);
        assertThat(postJsonAs(null, "/api/v1/specializations", "{\"device\":\"host-cpu\",\"latencyMs\":1}")
                        .statusCode())
                .isEqualTo(specialization);
    }

    @Test
    void aKeyIsShownOnceAndStoredOnlyAsItsSha256() throws Exception {
        String viewer = key("viewer", null);
        assertThat(viewer).startsWith("tlr_").hasSize(4 + 43);
        String hash = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(viewer.getBytes(StandardCharsets.UTF_8)));
        List<String> stored = jdbc.sql("select concat_ws('|', name, key_sha256, key_prefix, created_by) from api_key")
                .query(String.class)
                .list();
        assertThat(stored).noneMatch(row -> row.contains(viewer));
        assertThat(stored).anyMatch(row -> row.contains(hash));
        HttpResponse<String> listed = getAs(TestKeys.OPERATOR, "/api/v1/api-keys");
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(SpecSchemas.responseViolations("listApiKeys", listed)).isEmpty();
        assertThat(listed.body()).doesNotContain(viewer).contains(viewer.substring(0, 12));
        assertThat(body(listed).findValues("key")).isEmpty();
    }

    @Test
    void aRevokedKeyStopsWorkingAtOnce() {
        String operator = key("operator", null);
        String device = "d-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(postJsonAs(operator, "/api/v1/devices", "{\"name\":\"" + device + "\"}")
                        .statusCode())
                .isEqualTo(201);
        long id = jdbc.sql("select id from api_key where key_prefix = :prefix")
                .param("prefix", operator.substring(0, 12))
                .query(Long.class)
                .single();
        HttpResponse<String> revoked = send(HttpRequest.newBuilder(uri("/api/v1/api-keys/" + id))
                .header("Authorization", "Bearer " + TestKeys.OPERATOR)
                .DELETE()
                .build());
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        assertThat(body(revoked).path("revokedAt").isNull()).isFalse();
        assertThat(SpecSchemas.responseViolations("revokeApiKey", revoked)).isEmpty();
        HttpResponse<String> got = getAs(TestKeys.OPERATOR, "/api/v1/api-keys/" + id);
        assertThat(body(got).path("revokedAt").asString())
                .isEqualTo(body(revoked).path("revokedAt").asString());
        assertThat(SpecSchemas.responseViolations("getApiKey", got)).isEmpty();
        JsonNode problem = problem(postJsonAs(operator, "/api/v1/devices", "{\"name\":\"" + device + "-2\"}"), 401);
        assertThat(problem.path("detail").asString()).contains("not valid");
        // even where no key is needed, a bad key is said to be bad rather than ignored
        problem(getAs(operator, "/api/v1/supernets"), 401);
        problem(
                send(HttpRequest.newBuilder(uri("/api/v1/supernets"))
                        .header("Authorization", "Basic dXNlcjpwdw==")
                        .build()),
                401);
        assertThat(getAs(TestKeys.OPERATOR, "/api/v1/api-keys/" + id + "9999").statusCode())
                .isEqualTo(404);
    }

    @Test
    void anAgentKeyDoesOnlyItsDevicesWork() {
        String device = "d-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(postJson("/api/v1/devices", "{\"name\":\"" + device + "\"}").statusCode())
                .isEqualTo(201);
        String agent = key("agent", device);
        assertThat(getAs(agent, "/api/v1/devices/" + device + "/tasks?limit=1").statusCode())
                .isEqualTo(200);
        problem(getAs(agent, "/api/v1/devices/jetson-nano/tasks"), 403);
        problem(postJsonAs(agent, "/api/v1/devices", "{\"name\":\"" + device + "-x\"}"), 403);
        problem(postJsonAs(agent, "/api/v1/devices/" + device + "/agent-token", ""), 403);
    }

    @Test
    void checkpointsNeedAnOperatorKeyWhileModelsStayReadable() {
        byte[] bytes = new byte[48];
        new Random(7).nextBytes(bytes);
        String checkpoint =
                artifacts.save(Artifact.of(bytes, Checkpoint.MEDIA_TYPE)).getSha256();
        bytes[0] ^= 1;
        String model = artifacts.save(Artifact.of(bytes, OnnxExport.MEDIA_TYPE)).getSha256();
        String path = "/api/v1/artifacts/" + checkpoint;
        assertThat(problem(get(path), 401).path("detail").asString()).contains("operator key");
        problem(getAs(key("viewer", null), path), 403);
        HttpResponse<String> operator = getAs(TestKeys.OPERATOR, path);
        assertThat(operator.statusCode()).isEqualTo(200);
        assertThat(SpecSchemas.responseViolations("getArtifact", operator)).isEmpty();
        // what needed a key must not be kept by a shared cache and handed to the next caller
        assertThat(operator.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(
                        cache -> assertThat(cache).contains("private").doesNotContain("public"));
        HttpResponse<String> anonymous = get("/api/v1/artifacts/" + model);
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(SpecSchemas.responseViolations("getArtifact", anonymous)).isEmpty();
        assertThat(anonymous.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(
                        cache -> assertThat(cache).contains("public").contains("immutable"));
        assertThat(get("/api/v1/artifacts/" + checkpoint.toUpperCase(java.util.Locale.ROOT))
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void keysThatCannotBeIssuedAre400NamingTheField() {
        // a device no agent measures (its roofline only): an agent key bound to it was issued before
        String unmeasured = "roofline-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        assertThat(postJson(
                                "/api/v1/devices",
                                "{\"name\":\"" + unmeasured
                                        + "\",\"measurement\":\"none\",\"peakGflops\":5,\"memoryGbps\":2}")
                        .statusCode())
                .isEqualTo(201);
        long keys = count("api_key");
        String[][] bad = {
            {"{\"name\":\"x\",\"role\":\"agent\",\"device\":\"" + unmeasured + "\"}", "device"},
            {"{\"name\":\"x\",\"role\":\"root\"}", "role"},
            {"{\"name\":\"x\"}", "role"},
            {"{\"role\":\"viewer\"}", "name"},
            {"{\"name\":\"has spaces\",\"role\":\"viewer\"}", "name"},
            {"{\"name\":\"x\",\"role\":\"agent\"}", "device"},
            {"{\"name\":\"x\",\"role\":\"agent\",\"device\":\"no-such-device\"}", "device"},
            {"{\"name\":\"x\",\"role\":\"viewer\",\"device\":\"jetson-nano\"}", "device"},
            {"{\"name\":\"x\",\"role\":\"viewer\",\"extra\":1}", "extra"}
        };
        for (String[] request : bad) {
            JsonNode problem = problem(postJson("/api/v1/api-keys", request[0]), 400);
            assertThat(problem.path("errors").toString()).as(request[0]).contains("\"" + request[1] + "\"");
        }
        assertThat(count("api_key")).isEqualTo(keys);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyOperationIsEnforcedAsTheSpecDocumentsIt() throws Exception {
        Map<String, Object> spec = new Yaml().load(Files.readString(Path.of("api-spec/openapi.yaml")));
        Map<String, Map<String, Map<String, Object>>> paths =
                (Map<String, Map<String, Map<String, Object>>>) spec.get("paths");
        int checked = 0;
        for (var path : paths.entrySet()) {
            String concrete = path.getKey()
                    .replace("{name}", "jetson-nano")
                    .replace("{sha256}", "0".repeat(64))
                    .replace(
                            "{id}",
                            path.getKey().startsWith("/api/v1/api-keys")
                                    ? "1"
                                    : UUID.randomUUID().toString())
                    .replace("{supernetId}", UUID.randomUUID().toString())
                    .replace("{buildId}", UUID.randomUUID().toString());
            for (var operation : path.getValue().entrySet()) {
                String access = (String) operation.getValue().get("x-tailor-access");
                assertThat(access).as(operation.getKey() + " " + path.getKey()).isNotNull();
                List<Map<String, List<String>>> security =
                        (List<Map<String, List<String>>>) operation.getValue().get("security");
                boolean keyOptional = security.stream().anyMatch(Map::isEmpty);
                HttpResponse<String> anonymous = send(HttpRequest.newBuilder(uri(concrete))
                        .timeout(java.time.Duration.ofSeconds(20))
                        .header("Content-Type", "application/json")
                        .method(
                                operation.getKey().toUpperCase(java.util.Locale.ROOT),
                                operation.getKey().equals("get")
                                                || operation.getKey().equals("delete")
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString("{}"))
                        .build());
                String what = operation.getKey() + " " + concrete + " (" + access + ") -> " + anonymous.body();
                if (keyOptional) {
                    assertThat(access).isIn("read", "artifact");
                    assertThat(anonymous.statusCode()).as(what).isNotIn(401, 403);
                } else {
                    assertThat(access).isIn("operator", "agent-of-device");
                    assertThat(anonymous.statusCode()).as(what).isEqualTo(401);
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(27);
    }

    @Test
    void probesAndTheApiDocumentIgnoreAnAuthorizationHeaderMeantForSomethingElse() {
        // an ingress with basic authentication in front forwards its header to every path
        for (String path : new String[] {"/actuator/health", "/actuator/health/readiness", "/v3/api-docs"}) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path))
                    .header("Authorization", "Basic dXNlcjpwYXNz")
                    .GET()
                    .build());
            assertThat(response.statusCode()).as(path).isEqualTo(200);
        }
        // on the API it is still refused at once, so that a wrong header shows the first time
        HttpResponse<String> api = send(HttpRequest.newBuilder(uri("/api/v1/devices"))
                .header("Authorization", "Basic dXNlcjpwYXNz")
                .GET()
                .build());
        problem(api, 401);
    }
}
