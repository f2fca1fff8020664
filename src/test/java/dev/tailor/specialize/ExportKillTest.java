package dev.tailor.specialize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.ServiceProcess;
import dev.tailor.TailorProperties;
import dev.tailor.jobs.CatalogueBuildQueue;
import dev.tailor.jobs.CatalogueBuilds;
import dev.tailor.jobs.TinySupernet;
import dev.tailor.jobs.TrainingJobRunner;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code kill -9} of a whole service process while it exports a specialization: a second service
 * process on the same home and database takes the dead export up again, the same request is
 * answered, and no catalogue row or artifact is lost or duplicated. The test's own context owns
 * the embedded PostgreSQL and the tiny trained supernet; it exports nothing itself (inline mode,
 * no export queue), so only the two service processes compete for the job.
 */
@SpringBootTest(
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false",
            "tailor.specialization.exports=inline",
            "tailor.test.context=export-kill"
        })
class ExportKillTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    TrainingJobRunner trainingRunner;

    @Autowired
    CatalogueBuilds builds;

    @Autowired
    CatalogueBuildQueue queue;

    @Autowired
    JdbcClient jdbc;

    /** The home as bound once ({@code ${random.uuid}} gives a new value at every other reading). */
    @Autowired
    TailorProperties properties;

    private final List<ServiceProcess> services = new ArrayList<>();

    @AfterEach
    void stopServices() {
        services.forEach(service -> service.process().destroyForcibly());
    }

    @Test
    void aServiceKilledMidExportLeavesTheExportToTheNextOneAndNothingIsLostOrDuplicated() throws Exception {
        UUID supernet = TinySupernet.trained(trainingRunner, builds);
        TinySupernet.awaitBuild(builds, queue.enqueue(supernet, 12, 5L).id());
        Set<Long> catalogueBefore = subnetIds(supernet);
        Set<String> artifactsBefore = artifacts();
        String body = "{\"device\":\"host-cpu\",\"macs\":2400000,\"supernet\":\"" + supernet + "\"}";

        ServiceProcess first = start("first");
        CompletableFuture<HttpResponse<String>> lost =
                ServiceProcess.client().sendAsync(post(first, body), HttpResponse.BodyHandlers.ofString());
        awaitExportRunningIn(first);
        // the first export in a new process restores the supernet and loads the native runtimes: seconds
        assertThat(specializations(supernet))
                .as("killed before the export stored its answer")
                .isZero();
        first.kill();
        assertThat(lost).failsWithin(Duration.ofSeconds(30));

        ServiceProcess second = start("second");
        HttpResponse<String> answered =
                ServiceProcess.client().send(post(second, body), HttpResponse.BodyHandlers.ofString());

        assertThat(answered.statusCode()).as(answered.body()).isIn(200, 201);
        JsonNode response = JSON.readTree(answered.body());
        assertThat(specializations(supernet)).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from specialization_export_task")
                        .query(Long.class)
                        .single())
                .isZero();
        Set<Long> catalogueAfter = subnetIds(supernet);
        assertThat(catalogueAfter).containsAll(catalogueBefore);
        assertThat(catalogueAfter.size()).isBetween(catalogueBefore.size(), catalogueBefore.size() + 1);
        assertThat(jdbc.sql("select count(*) from subnet where supernet_id = ? and config_sha256 = ?")
                        .params(supernet, response.path("configSha256").asString())
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        Set<String> artifactsAfter = artifacts();
        assertThat(artifactsAfter).containsAll(artifactsBefore);
        assertThat(artifactsAfter)
                .contains(response.path("artifact").path("sha256").asString());
        assertThat(artifactsAfter.size())
                .isEqualTo(artifactsBefore.size()
                        + (artifactsBefore.contains(
                                        response.path("artifact").path("sha256").asString())
                                ? 0
                                : 1));
        assertThat(Files.readString(second.log())).contains("[export ");
    }

    private static HttpRequest post(ServiceProcess service, String body) {
        return HttpRequest.newBuilder(service.uri("/api/v1/specializations"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private ServiceProcess start(String name) throws Exception {
        ServiceProcess service = ServiceProcess.start(properties.home(), name);
        services.add(service);
        return service;
    }

    /** Until the export job is picked by that process (the scheduler's name carries its pid). */
    private void awaitExportRunningIn(ServiceProcess service) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (jdbc.sql("select count(*) from specialization_export_task where picked and picked_by like ?")
                        .param("%" + service.schedulerSuffix())
                        .query(Long.class)
                        .single()
                == 0) {
            assertThat(System.nanoTime()).as("the export job started").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private long specializations(UUID supernet) {
        return jdbc.sql("select count(*) from specialization where supernet_id = ?")
                .param(supernet)
                .query(Long.class)
                .single();
    }

    private Set<Long> subnetIds(UUID supernet) {
        return new TreeSet<>(jdbc.sql("select id from subnet where supernet_id = ?")
                .param(supernet)
                .query(Long.class)
                .list());
    }

    /** The ONNX models stored. */
    /** The ONNX models stored (the predictor and latency models are artifacts too, refitted in the background). */
    private Set<String> artifacts() {
        return new TreeSet<>(jdbc.sql("select sha256 from artifact where media_type = ?")
                .param(dev.tailor.onnx.OnnxExport.MEDIA_TYPE)
                .query(String.class)
                .list());
    }
}
