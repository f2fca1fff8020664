package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** POST /specializations refuses what is not a budget with a problem body naming the field; nothing is stored. */
class SpecializationBadInputTest extends ApiTestSupport {

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("{}", 400, "latencyMs"),
                Arguments.of("", 400, null),
                Arguments.of("{\"device\":\"host-cpu\"}", 400, "latencyMs"),
                Arguments.of("{\"latencyMs\":-1}", 400, "latencyMs"),
                Arguments.of("{\"latencyMs\":0}", 400, "latencyMs"),
                Arguments.of("{\"latencyMs\":1e300}", 400, "latencyMs"),
                Arguments.of("{\"latencyMs\":\"fast\"}", 400, "latencyMs"),
                Arguments.of("{\"latencyMs\":\"NaN\"}", 400, "latencyMs"),
                Arguments.of("{\"latencyMs\":NaN}", 400, null),
                Arguments.of("{\"macs\":-5}", 400, "macs"),
                Arguments.of("{\"macs\":1.5}", 400, "macs"),
                Arguments.of("{\"params\":0}", 400, "params"),
                Arguments.of("{\"memoryBytes\":-1}", 400, "memoryBytes"),
                Arguments.of("{\"minAccuracy\":90}", 400, "minAccuracy"),
                Arguments.of("{\"minAccuracy\":0}", 400, "minAccuracy"),
                Arguments.of("{\"objective\":\"speed\",\"macs\":1000000}", 400, "objective"),
                Arguments.of("{\"objective\":\"latency\",\"macs\":1000000}", 400, "minAccuracy"),
                Arguments.of("{\"device\":\"\",\"macs\":1000000}", 400, "device"),
                Arguments.of("{\"device\":7,\"macs\":1000000}", 400, "device"),
                Arguments.of("{\"colour\":\"red\",\"macs\":1000000}", 400, "colour"),
                Arguments.of("{\"supernet\":\"not-a-uuid\",\"macs\":1000000}", 400, "supernet"),
                Arguments.of("[1,2]", 400, null),
                Arguments.of("{\"device\":\"toaster\",\"latencyMs\":1}", 404, null),
                Arguments.of("{\"supernet\":\"" + UUID.randomUUID() + "\",\"macs\":1000000}", 404, null));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("refused")
    void refusedWithAProblemAndNothingStored(String body, int status, String field) {
        HttpResponse<String> response = postJson("/api/v1/specializations", body);
        JsonNode problem = problem(response, status);
        if (field != null) {
            assertThat(problem.path("errors").toString()).contains("\"" + field + "\"");
        }
        if (status == 404 && body.contains("toaster")) {
            assertThat(problem.path("detail").asString())
                    .contains("jetson-nano")
                    .contains("host-cpu");
        }
        if (status == 503) {
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
        }
        assertThat(body(get("/api/v1/specializations")).path("totalItems").asLong())
                .isZero();
    }

    @org.springframework.beans.factory.annotation.Autowired
    dev.tailor.catalogue.SupernetRepository supernets;

    @Test
    void aSupernetStillTrainingIsA503WithRetryAfter() {
        dev.tailor.catalogue.Supernet training = supernets.saveAndFlush(new dev.tailor.catalogue.Supernet(
                "still-training",
                dev.tailor.space.SearchSpace.named("mbv3-28x28x1").toJson(),
                "fashion-mnist"));
        HttpResponse<String> response = postJson(
                "/api/v1/specializations",
                "{\"device\":\"host-cpu\",\"latencyMs\":1,\"supernet\":\"" + training.getId() + "\"}");
        problem(response, 503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(body(get("/api/v1/specializations")).path("totalItems").asLong())
                .isZero();
    }

    @Test
    void aHugeBodyIsRefusedWith413BeforeItIsParsedDeclaredOrChunked() {
        // a budget whose device name is 2 MB long: over the 1 MiB limit every body here is far under
        String huge = "{\"device\":\"" + "x".repeat(2_000_000) + "\",\"latencyMs\":1}";
        JsonNode declared = problem(postJson("/api/v1/specializations", huge), 413);
        assertThat(declared.path("detail").asString()).contains("tailor.api.max-request-bytes");
        assertThat(declared.path("errors").toString()).contains("\"body\"");

        byte[] bytes = huge.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        // no length given: the body comes chunked and is cut off once it passes the limit
        HttpResponse<String> chunked = send(java.net.http.HttpRequest.newBuilder(uri("/api/v1/specializations"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(bytes)))
                .build());
        assertThat(problem(chunked, 413).path("detail").asString()).contains("tailor.api.max-request-bytes");
        assertThat(body(get("/api/v1/specializations")).path("totalItems").asLong())
                .isZero();
        // a small chunked body still goes through to the budget's own checks
        HttpResponse<String> small = send(java.net.http.HttpRequest.newBuilder(uri("/api/v1/specializations"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream("{\"latencyMs\":-1}".getBytes())))
                .build());
        assertThat(problem(small, 400).path("errors").toString()).contains("\"latencyMs\"");
    }

    @Test
    void unknownSpecializationIsNotFound() {
        problem(get("/api/v1/specializations/" + UUID.randomUUID()), 404);
        problem(get("/api/v1/supernets/" + UUID.randomUUID() + "/predictor"), 404);
        problem(get("/api/v1/supernets/" + UUID.randomUUID() + "/pareto"), 404);
    }
}
