package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.catalogue.DeviceRepository;
import dev.tailor.catalogue.Supernet;
import dev.tailor.catalogue.SupernetRepository;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * A table of malformed requests: each must get a 4xx problem body naming the field at fault,
 * never a 5xx or a stack trace, and must leave stored data as it was.
 */
class BadInputTest extends ApiTestSupport {

    private static final String SUPERNET = "/api/v1/supernets/00000000-0000-0000-0000-000000000000";

    @Autowired
    DeviceRepository devices;

    @Autowired
    SupernetRepository supernets;

    static Stream<Arguments> badRequests() {
        return Stream.of(
                // method, path, body, expected status, field named in errors ("" = no field list)
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"x\",", 400, "body"),
                Arguments.of("POST", "/api/v1/devices", "", 400, "body"),
                Arguments.of("POST", "/api/v1/devices", "[1,2,3]", 400, "body"),
                Arguments.of("POST", "/api/v1/devices", "\"just a string\"", 400, "body"),
                Arguments.of("POST", "/api/v1/devices", "null", 400, "body"),
                Arguments.of("POST", "/api/v1/devices", "{}", 400, "name"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"\"}", 400, "name"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"Has Spaces\"}", 400, "name"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"" + "a".repeat(65) + "\"}", 400, "name"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":42}", 400, "name"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":true}", 400, "name"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"ok\",\"peakGflops\":\"5\"}", 400, "peakGflops"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":{\"a\":1}}", 400, "name"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"ok\",\"peakGflops\":-5}", 400, "peakGflops"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"ok\",\"peakGflops\":0}", 400, "peakGflops"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"ok\",\"peakGflops\":1e300}", 400, "peakGflops"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"ok\",\"peakGflops\":\"fast\"}", 400, "peakGflops"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"ok\",\"memoryGbps\":-0.1}", 400, "memoryGbps"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"ok\",\"memoryGbps\":true}", 400, "memoryGbps"),
                Arguments.of(
                        "POST",
                        "/api/v1/devices",
                        "{\"name\":\"ok\",\"executionProvider\":\"gpu\"}",
                        400,
                        "executionProvider"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"ok\",\"measurement\":7}", 400, "measurement"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"ok\",\"peakGFlops\":5}", 400, "peakGFlops"),
                Arguments.of(
                        "POST",
                        "/api/v1/devices",
                        "{\"name\":\"ok\",\"description\":\"" + "d".repeat(513) + "\"}",
                        400,
                        "description"),
                Arguments.of(
                        "POST", "/api/v1/devices", "{\"name\":\"ok\",\"runtime\":\"ONNX Runtime!\"}", 400, "runtime"),
                // stored and never read before: its agents timed ONNX Runtime models whatever the device runs
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"ok\",\"runtime\":\"tflite\"}", 400, "runtime"),
                // a roofline needs both: registered with one, the device never had a latency (201 before)
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"ok\",\"peakGflops\":5}", 400, "memoryGbps"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"ok\",\"memoryGbps\":5}", 400, "peakGflops"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"a\",\"name\":\"b\"}", 400, "body"),
                Arguments.of("POST", "/api/v1/devices", "{\"name\":\"ok\",\"peakGflops\":NaN}", 400, "body"),
                Arguments.of("POST", "/api/v1/devices", "[".repeat(5000), 400, "body"),
                Arguments.of("GET", "/api/v1/devices/unknown-device", null, 404, ""),
                Arguments.of("GET", "/api/v1/supernets?size=%FF%FE", null, 400, "query"),
                Arguments.of("DELETE", "/api/v1/devices", null, 405, ""),
                Arguments.of("GET", "/api/v1/supernets/not-a-uuid", null, 400, "id"),
                Arguments.of("GET", "/api/v1/supernets/not-a-uuid/subnets", null, 400, "id"),
                Arguments.of("GET", SUPERNET, null, 404, ""),
                Arguments.of("GET", SUPERNET + "/subnets", null, 404, ""),
                Arguments.of("GET", SUPERNET + "/catalogue-builds", null, 404, ""),
                Arguments.of("GET", "/api/v1/specializations?device=no-such-device", null, 400, "device"),
                // a parameter the operation does not take: it was ignored, and the whole list came back
                Arguments.of("GET", SUPERNET + "/subnets?maxLatency=15", null, 400, "maxLatency"),
                Arguments.of(
                        "GET",
                        "/api/v1/specializations?supernetId=00000000-0000-0000-0000-000000000000",
                        null,
                        400,
                        "supernetId"),
                Arguments.of("POST", "/api/v1/specializations?device=jetson-nano", "{\"latencyMs\":15}", 400, "device"),
                Arguments.of("GET", "/api/v1/devices?s%C3%AFze=1", null, 400, "s\u00efze"),
                Arguments.of(
                        "GET", "/api/v1/specializations?supernet=" + SUPERNET.substring(18), null, 400, "supernet"),
                Arguments.of("GET", "/api/v1/supernets?size=0", null, 400, "size"),
                Arguments.of("GET", "/api/v1/supernets?size=201", null, 400, "size"),
                Arguments.of("GET", "/api/v1/supernets?size=99999999999", null, 400, "size"),
                Arguments.of("GET", "/api/v1/supernets?page=-1", null, 400, "page"),
                Arguments.of("GET", "/api/v1/supernets?page=abc", null, 400, "page"),
                Arguments.of("GET", "/api/v1/nothing-here", null, 404, ""),
                Arguments.of("GET", "/api/v1/artifacts/abc", null, 400, "sha256"),
                Arguments.of("GET", "/api/v1/artifacts/" + "g".repeat(64), null, 400, "sha256"),
                Arguments.of("GET", "/api/v1/artifacts/" + "0".repeat(64), null, 404, ""));
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @MethodSource("badRequests")
    void badRequestGetsAProblemNamingTheField(String method, String path, String body, int status, String field) {
        long devicesBefore = devices.count();
        HttpRequest.BodyPublisher publisher =
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        // with the operator key: what is refused here is the request, not the caller
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + dev.tailor.security.TestKeys.OPERATOR)
                .method(method, publisher)
                .build());

        JsonNode problem = problem(response, status);
        if (!field.isEmpty()) {
            assertThat(problem.path("errors")
                            .valueStream()
                            .map(e -> e.path("field").asString()))
                    .contains(field);
            assertThat(problem.path("errors")
                            .valueStream()
                            .map(e -> e.path("message").asString()))
                    .allSatisfy(message -> assertThat(message).isNotBlank());
        }
        assertThat(devices.count()).isEqualTo(devicesBefore);
    }

    /** URLs that java.net.URI refuses to build, so they go over a raw socket. */
    @ParameterizedTest(name = "GET {0} -> 400")
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {"/api/v1/devices/%zz", "/api/v1/supernets?page=%", "/api/v1/supernets?size=%G1", "/api/v1/%"})
    void malformedUrlGetsAProblem(String rawPathAndQuery) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            socket.getOutputStream()
                    .write(("GET " + rawPathAndQuery + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response =
                    new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 400");
            assertThat(response.toLowerCase(java.util.Locale.ROOT)).contains("content-type: application/problem+json");
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            assertThat(body)
                    .contains("\"status\":400")
                    .contains("\"type\":\"urn:tailor:problem:invalid-request\"")
                    .doesNotContain("Exception")
                    .doesNotContain("<html");
        }
    }

    static Stream<Arguments> badSubnetQueries() {
        return Stream.of(
                Arguments.of("maxMacs=-1", "maxMacs"),
                Arguments.of("maxMacs=0", "maxMacs"),
                Arguments.of("maxMacs=lots", "maxMacs"),
                Arguments.of("minAccuracy=1.5", "minAccuracy"),
                Arguments.of("minAccuracy=-0.1", "minAccuracy"),
                Arguments.of("minAccuracy=NaNx", "minAccuracy"),
                Arguments.of("maxLatencyMs=10", "maxLatencyMs"),
                Arguments.of("device=no-such-device&maxLatencyMs=10", "device"),
                Arguments.of("device=host&maxLatencyMs=-3", "maxLatencyMs"),
                Arguments.of("device=host&maxLatencyMs=1e12", "maxLatencyMs"),
                Arguments.of("sort=speed", "sort"),
                Arguments.of("sort=latency", "sort"),
                Arguments.of("sort=--accuracy", "sort"),
                Arguments.of("size=500", "size"),
                Arguments.of("page=-2", "page"));
    }

    @ParameterizedTest(name = "subnets?{0}")
    @MethodSource("badSubnetQueries")
    void badSubnetQueryNamesTheParameter(String query, String field) {
        String supernet = supernets
                .save(new Supernet("bad-input", "{\"version\":1}", "fashion-mnist"))
                .getId()
                .toString();
        JsonNode problem = problem(get("/api/v1/supernets/" + supernet + "/subnets?" + query), 400);
        assertThat(problem.path("errors").valueStream().map(e -> e.path("field").asString()))
                .contains(field);
    }
}
