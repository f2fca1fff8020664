package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.catalogue.Artifact;
import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.onnx.OnnxExport;
import dev.tailor.security.TestKeys;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** Reads keyed, as the Helm chart sets them: every API call needs a key; probes and the spec stay open. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false",
            "tailor.worker.enabled=false",
            "tailor.security.reads=keyed",
            "tailor.test.context=keyed-reads"
        })
class KeyedReadsTest extends ApiTestSupport {

    @Autowired
    ArtifactRepository artifacts;

    private String key(String role, String device) {
        HttpResponse<String> created = postJson(
                "/api/v1/api-keys",
                "{\"name\":\"k\",\"role\":\"" + role + "\"" + (device == null ? "" : ",\"device\":\"" + device + "\"")
                        + "}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return body(created).path("key").asString();
    }

    @Test
    void readsAndSpecializationsNeedAViewerKey() {
        assertThat(problem(get("/api/v1/supernets"), 401).path("detail").asString())
                .contains("needs a viewer or operator key");
        problem(postJsonAs(null, "/api/v1/specializations", "{\"device\":\"host-cpu\",\"latencyMs\":1}"), 401);
        String viewer = key("viewer", null);
        assertThat(getAs(viewer, "/api/v1/supernets").statusCode()).isEqualTo(200);
        assertThat(getAs(TestKeys.OPERATOR, "/api/v1/devices").statusCode()).isEqualTo(200);
        assertThat(postJsonAs(viewer, "/api/v1/specializations", "{\"device\":\"host-cpu\",\"latencyMs\":1}")
                        .statusCode())
                .isNotIn(401, 403);
    }

    @Test
    void probesTheSpecAndSwaggerUiStayOpen() {
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        assertThat(get("/v3/api-docs").statusCode()).isEqualTo(200);
        assertThat(get("/swagger-ui/index.html").statusCode()).isEqualTo(200);
    }

    @Test
    void anAgentKeyFetchesModelsButReadsNothingElse() {
        String device = "d-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(postJson("/api/v1/devices", "{\"name\":\"" + device + "\"}").statusCode())
                .isEqualTo(201);
        String agent = key("agent", device);
        String model = artifacts
                .save(Artifact.of(new byte[] {1, 2, 3, 4}, OnnxExport.MEDIA_TYPE))
                .getSha256();
        assertThat(getAs(agent, "/api/v1/artifacts/" + model).statusCode()).isEqualTo(200);
        problem(get("/api/v1/artifacts/" + model), 401);
        problem(getAs(agent, "/api/v1/supernets"), 403);
    }

    @Autowired
    org.springframework.context.ApplicationContext context;

    /** What Helm's API replicas run (serve with the worker off): they queue work but never take any. */
    @Test
    void anApiReplicaHasNoWorker() {
        assertThat(context.getBeanProvider(com.github.kagkarlsson.scheduler.Scheduler.class)
                        .getIfAvailable())
                .isNull();
        assertThat(context.getBeanProvider(com.github.kagkarlsson.scheduler.SchedulerClient.class)
                        .getIfAvailable())
                .isNotNull();
    }
}
