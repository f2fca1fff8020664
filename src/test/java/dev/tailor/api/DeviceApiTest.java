package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class DeviceApiTest extends ApiTestSupport {

    private static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void createdDeviceIsListedAndFetchedByName() {
        String name = uniqueName("jetson-nano");
        HttpResponse<String> created = postJson("/api/v1/devices", """
                {"name":"%s","description":"NVIDIA Jetson Nano 4GB","executionProvider":"cuda",
                 "peakGflops":472,"memoryGbps":25.6}""".formatted(name));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).contains("/api/v1/devices/" + name);
        JsonNode device = body(created);
        assertThat(device.path("runtime").asString()).isEqualTo("onnxruntime");
        assertThat(device.path("executionProvider").asString()).isEqualTo("cuda");
        assertThat(device.path("measurement").asString()).isEqualTo("agent");
        assertThat(device.path("peakGflops").asDouble()).isEqualTo(472.0);
        assertThat(SpecSchemas.responseViolations("createDevice", created)).isEmpty();

        HttpResponse<String> got = get("/api/v1/devices/" + name);
        JsonNode fetched = body(got);
        assertThat(fetched.path("name").asString()).isEqualTo(name);
        assertThat(fetched.path("memoryGbps").asDouble()).isEqualTo(25.6);
        assertThat(SpecSchemas.responseViolations("getDevice", got)).isEmpty();

        HttpResponse<String> listed = get("/api/v1/devices");
        JsonNode list = body(listed);
        assertThat(list.valueStream().map(d -> d.path("name").asString())).contains(name);
        assertThat(SpecSchemas.responseViolations("listDevices", listed)).isEmpty();
    }

    @Test
    void secondDeviceWithTheSameNameIsAConflictAndKeepsTheFirst() {
        String name = uniqueName("pi");
        assertThat(postJson("/api/v1/devices", "{\"name\":\"%s\",\"description\":\"first\"}".formatted(name))
                        .statusCode())
                .isEqualTo(201);

        JsonNode problem = problem(
                postJson("/api/v1/devices", "{\"name\":\"%s\",\"description\":\"second\"}".formatted(name)), 409);

        assertThat(problem.path("errors").get(0).path("field").asString()).isEqualTo("name");
        assertThat(body(get("/api/v1/devices/" + name)).path("description").asString())
                .isEqualTo("first");
    }

    @Test
    void unknownDeviceIsNotFound() {
        JsonNode problem = problem(get("/api/v1/devices/no-such-device"), 404);
        assertThat(problem.path("detail").asString()).contains("no-such-device");
    }

    @Test
    void onlyADeviceMeasuredByAgentsGetsAnAgentKey() {
        // host-cpu is timed by the service itself, a device of measurement none has its roofline only: an agent
        // key (201 before) let another machine's timings land in their tables
        String hosted = uniqueName("hosted");
        assertThat(postJson("/api/v1/devices", "{\"name\":\"%s\",\"measurement\":\"host\"}".formatted(hosted))
                        .statusCode())
                .isEqualTo(201);
        JsonNode host = problem(postJson("/api/v1/devices/" + hosted + "/agent-token", ""), 409);
        assertThat(host.path("errors").get(0).path("field").asString()).isEqualTo("measurement");
        String name = uniqueName("roofline-only");
        assertThat(postJson(
                                "/api/v1/devices",
                                "{\"name\":\"%s\",\"measurement\":\"none\",\"peakGflops\":5,\"memoryGbps\":2}"
                                        .formatted(name))
                        .statusCode())
                .isEqualTo(201);
        assertThat(problem(postJson("/api/v1/devices/" + name + "/agent-token", ""), 409)
                        .path("detail")
                        .asString())
                .contains("not by agents");
    }
}
