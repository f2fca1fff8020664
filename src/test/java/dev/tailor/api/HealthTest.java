package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HealthTest extends ApiTestSupport {

    @Test
    void healthAndBothProbeGroupsAreUp() {
        for (String path :
                new String[] {"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"}) {
            var response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(body(response).path("status").asString()).as(path).isEqualTo("UP");
        }
    }
}
