package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailor.api.SpecSchemas;
import dev.tailor.catalogue.JobState;
import dev.tailor.space.SearchSpace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Catalogue builds against the real catalogue: queued by training, resumable, over the CLI and REST. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false",
            // a context of its own: its trained supernet and catalogue stay out of the API tests' catalogue
            "tailor.test.context=trained",
            "tailor.catalogue.build-after-training=true"
        })
class CatalogueBuildTest {

    @Autowired
    TrainingJobRunner trainingRunner;

    @Autowired
    CatalogueBuilds builds;

    @Autowired
    CatalogueBuildQueue queue;

    @Autowired
    CatalogueBuildRunner runner;

    @Autowired
    JdbcClient jdbc;

    @LocalServerPort
    int port;

    UUID supernet;

    @BeforeEach
    void trainOnce() throws Exception {
        supernet = TinySupernet.trained(trainingRunner, builds);
    }

    private long evaluated() {
        return jdbc.sql("select count(*) from evaluation e join subnet s on s.id = e.subnet_id"
                        + " where s.supernet_id = ? and e.split = 'VALIDATION'")
                .param(supernet)
                .query(Long.class)
                .single();
    }

    private long duplicates() {
        return jdbc.sql("select count(*) from (select e.subnet_id from evaluation e join subnet s on s.id = e.subnet_id"
                        + " where s.supernet_id = ? group by e.subnet_id, e.split having count(*) > 1) d")
                .param(supernet)
                .query(Long.class)
                .single();
    }

    @Test
    void trainingQueuesABuildThatAWorkerRuns() {
        List<CatalogueBuilds.Build> ofSupernet = builds.ofSupernet(supernet, 0, 100);
        CatalogueBuilds.Build queued = ofSupernet.get(ofSupernet.size() - 1);
        assertThat(queued.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(queued.subnets()).isEqualTo(6);
        assertThat(queued.done()).isEqualTo(6);
        assertThat(queued.progress()).contains("\"subnetsPerMinute\"");
        // every subnet has its validation accuracy and its costs
        long withCosts = jdbc.sql("select count(*) from subnet s join subnet_cost c on c.subnet_id = s.id"
                        + " where s.supernet_id = ?")
                .param(supernet)
                .query(Long.class)
                .single();
        assertThat(evaluated()).isGreaterThanOrEqualTo(6);
        assertThat(withCosts).isEqualTo(evaluated());
    }

    @Test
    void queuedBuildsRunAheadOfQueuedTraining() throws Exception {
        HttpResponse<String> created = post("/api/v1/supernets/" + supernet + "/catalogue-builds", "{\"subnets\":6}");
        String id = created.headers().firstValue("Location").orElseThrow().replaceAll(".*/", "");
        Integer priority = jdbc.sql("select priority from scheduled_tasks where task_instance = ?")
                .param(id)
                .query(Integer.class)
                .optional()
                .orElse(null);
        TinySupernet.awaitBuild(builds, UUID.fromString(id));
        // db-scheduler's default (what training gets) is medium; a build is high
        assertThat(priority).isEqualTo(com.github.kagkarlsson.scheduler.task.Priority.HIGH);
        assertThat(CatalogueBuildQueue.PRIORITY).isGreaterThan(com.github.kagkarlsson.scheduler.task.Priority.MEDIUM);
    }

    @Test
    void aBuildOnAWorkerWithoutTheDatasetWaitsForOneInsteadOfFailingForGood() throws Exception {
        java.nio.file.Path dataset = java.nio.file.Path.of(
                jdbc.sql("select hyper_parameters->>'dataset' from training_job where supernet_id = ?")
                        .param(supernet)
                        .query(String.class)
                        .single());
        java.nio.file.Path away = dataset.resolveSibling(dataset.getFileName() + "-elsewhere");
        CatalogueBuilds.Build build = queue.create(supernet, 8, 9L);
        java.nio.file.Files.move(dataset, away);
        CatalogueBuildRunner.Outcome waiting;
        try {
            waiting = runner.run(build.id(), null, new CatalogueBuildListener() {});
        } finally {
            java.nio.file.Files.move(away, dataset);
        }
        assertThat(waiting.state()).isEqualTo(JobState.RUNNING);
        CatalogueBuilds.Build stored = builds.find(build.id()).orElseThrow();
        // it was FAILED, and nothing ever queued the supernet's build again
        assertThat(stored.finished()).isFalse();
        assertThat(stored.error()).contains("waiting for a worker that can read the dataset");

        // with the data in place (here, or on another worker) the same build finishes
        assertThat(runner.run(build.id(), null, new CatalogueBuildListener() {}).state())
                .isEqualTo(JobState.SUCCEEDED);
        assertThat(builds.find(build.id()).orElseThrow().error()).isNull();
    }

    @Autowired
    UnreferencedCheckpoints unreferencedCheckpoints;

    private String storedHoursAgo(String mediaType, int hours) {
        dev.tailor.catalogue.Artifact artifact = dev.tailor.catalogue.Artifact.of(
                UUID.randomUUID().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), mediaType);
        jdbc.sql("insert into artifact (sha256, media_type, size_bytes, content, created_at)"
                        + " values (?, ?, ?, ?, now() - make_interval(hours => ?))")
                .params(artifact.getSha256(), mediaType, artifact.getSizeBytes(), artifact.getContent(), hours)
                .update();
        return artifact.getSha256();
    }

    private boolean stored(String sha) {
        return jdbc.sql("select count(*) from artifact where sha256 = ?")
                        .param(sha)
                        .query(Long.class)
                        .single()
                == 1;
    }

    @Test
    void checkpointsLeftByARunStoppedBetweenTwoWritesAreSweptAndNothingElse() {
        String orphan = storedHoursAgo(dev.tailor.training.Checkpoint.MEDIA_TYPE, 2);
        String fresh = storedHoursAgo(dev.tailor.training.Checkpoint.MEDIA_TYPE, 0);
        String held = storedHoursAgo(dev.tailor.training.Checkpoint.MEDIA_TYPE, 2);
        String model = storedHoursAgo(dev.tailor.onnx.OnnxExport.MEDIA_TYPE, 2);
        UUID holder = UUID.randomUUID();
        jdbc.sql("insert into training_job (id, state, schedule, dataset, hyper_parameters, last_checkpoint)"
                        + " values (?, 'FAILED', 'deps', 'generated', '{}'::jsonb, ?)")
                .params(holder, held)
                .update();

        assertThat(unreferencedCheckpoints.sweep()).isGreaterThanOrEqualTo(1);

        assertThat(stored(orphan)).isFalse();
        // still being written by a run (the hour is the margin), held by a job, or not a checkpoint: kept
        assertThat(stored(fresh)).isTrue();
        assertThat(stored(held)).isTrue();
        assertThat(stored(model)).isTrue();
    }

    @Test
    void aBuildKilledHalfWayContinuesWithNoLostOrDuplicateRows() {
        CatalogueBuilds.Build build = queue.create(supernet, 14, 5L);
        long before = evaluated();
        int[] written = {0};
        // the process dies abruptly after three new rows: no cleanup runs, the build stays RUNNING
        assertThatThrownBy(() -> runner.run(build.id(), null, new CatalogueBuildListener() {
                    @Override
                    public void onSubnet(Progress progress) {
                        if (++written[0] == 3) {
                            throw new Killed();
                        }
                    }
                }))
                .isInstanceOf(Killed.class);
        assertThat(builds.find(build.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(evaluated()).isEqualTo(before + 3);

        CatalogueBuildRunner.Outcome outcome = runner.run(build.id(), null, new CatalogueBuildListener() {});

        assertThat(outcome.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(outcome.done()).isEqualTo(14);
        assertThat(duplicates()).isZero();
        long inPlan = CatalogueSampler.plan(SearchSpace.named(SearchSpace.FASHION_MNIST), 10, 14, 5L).stream()
                .filter(config -> jdbc.sql("select count(*) from subnet s join evaluation e on e.subnet_id = s.id"
                                        + " where s.supernet_id = ? and s.config_sha256 = ? and e.split = 'VALIDATION'")
                                .params(supernet, config.sha256())
                                .query(Long.class)
                                .single()
                        == 1)
                .count();
        assertThat(inPlan).isEqualTo(14);
        assertThat(builds.find(build.id()).orElseThrow().attempts()).isEqualTo(2);
    }

    @Test
    void theCliContinuesAnUnfinishedBuildAndRefusesBadFlags() {
        TinySupernet.awaitBuilds(builds, supernet);
        CatalogueBuilds.Build build = queue.create(supernet, 8, 9L);
        Run run = cli("--supernet", supernet.toString(), "--subnets", "12", "--seed", "7");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("continuing an unfinished build")
                .contains("--subnets 12 not applied")
                // said of --subnets only; the seed was dropped without a word
                .contains("--seed 7 not applied")
                .contains("subnets evaluated");
        assertThat(builds.find(build.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);

        for (String[] bad : List.of(
                new String[] {},
                new String[] {"--supernet", "nope"},
                new String[] {"--supernet", UUID.randomUUID().toString()},
                new String[] {"--supernet", supernet.toString(), "--subnets", "0"},
                new String[] {"--supernet", supernet.toString(), "--subnets", "many"},
                new String[] {"--supernet", supernet.toString(), "--colour", "red"})) {
            Run refused = cli(bad);
            assertThat(refused.code()).as(String.join(" ", bad)).isEqualTo(2);
            assertThat(refused.err()).startsWith("tailor catalogue: ").contains("--");
        }
    }

    @Test
    void restStartsABuildAndShowsItsProgress() throws Exception {
        HttpResponse<String> created = post("/api/v1/supernets/" + supernet + "/catalogue-builds", "{\"subnets\":7}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        assertThat(SpecSchemas.responseViolations("createCatalogueBuild", created))
                .isEmpty();
        String location = created.headers().firstValue("Location").orElseThrow();
        TinySupernet.awaitBuild(builds, UUID.fromString(location.substring(location.lastIndexOf('/') + 1)));
        HttpResponse<String> got = get(location);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).contains("\"state\":\"succeeded\"").contains("\"done\":7");
        assertThat(SpecSchemas.responseViolations("getCatalogueBuild", got)).isEmpty();
        HttpResponse<String> listed = get("/api/v1/supernets/" + supernet + "/catalogue-builds");
        assertThat(listed.body()).contains(location.substring(location.lastIndexOf('/') + 1));
        assertThat(SpecSchemas.responseViolations("listCatalogueBuilds", listed))
                .isEmpty();
        // the finished build's stream: its progress events, then the end
        HttpResponse<String> events = get(location + "/events");
        assertThat(events.body()).contains("event:progress");
        assertThat(SpecSchemas.responseViolations("catalogueBuildEvents", events))
                .isEmpty();
        assertThat(SpecSchemas.eventDataViolations("CatalogueBuildResponse", events.body()))
                .isEmpty();

        Map<String, Integer> bad = Map.of(
                "{\"subnets\":0}", 400,
                "{\"subnets\":\"many\"}", 400,
                "{\"seed\":-1}", 400,
                "{\"colour\":1}", 400);
        for (var entry : bad.entrySet()) {
            HttpResponse<String> refused = post("/api/v1/supernets/" + supernet + "/catalogue-builds", entry.getKey());
            assertThat(refused.statusCode()).as(entry.getKey()).isEqualTo(entry.getValue());
            assertThat(refused.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        }
        assertThat(post("/api/v1/supernets/" + UUID.randomUUID() + "/catalogue-builds", "{}")
                        .statusCode())
                .isEqualTo(404);
        assertThat(get("/api/v1/supernets/" + supernet + "/catalogue-builds/" + UUID.randomUUID())
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void aRunningBuildIsCancelledStopsAfterItsSubnetAndKeepsItsRows() throws Exception {
        HttpResponse<String> created =
                post("/api/v1/supernets/" + supernet + "/catalogue-builds", "{\"subnets\":400,\"seed\":4242}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        String location = created.headers().firstValue("Location").orElseThrow();
        UUID buildId = UUID.fromString(location.substring(location.lastIndexOf('/') + 1));
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(3).toNanos();
        while (!(builds.find(buildId).orElseThrow().state() == JobState.RUNNING
                && builds.find(buildId).orElseThrow().progress() != null)) {
            assertThat(System.nanoTime() - deadline).as("the build runs").isNegative();
            Thread.sleep(100);
        }

        HttpResponse<String> cancelled = post(location + "/cancel", "");
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(SpecSchemas.responseViolations("cancelCatalogueBuild", cancelled))
                .isEmpty();
        assertThat(cancelled.body()).contains("\"state\":\"cancelled\"");

        // the next build of the supernet runs once the cancelled run has let the supernet go
        CatalogueBuilds.Build next = queue.enqueue(supernet, 2, 4243L);
        TinySupernet.awaitBuild(builds, next.id());
        assertThat(builds.find(next.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        CatalogueBuilds.Build stopped = builds.find(buildId).orElseThrow();
        assertThat(stopped.state()).isEqualTo(JobState.CANCELLED);
        assertThat(stopped.done()).isLessThan(400);
        long rows = evaluated();
        Thread.sleep(3_000);
        assertThat(evaluated()).as("nothing evaluated after the stop").isEqualTo(rows);
        assertThat(duplicates()).isZero();
        assertThat(jdbc.sql("select count(*) from scheduled_tasks where task_instance = ?")
                        .param(buildId.toString())
                        .query(Long.class)
                        .single())
                .isZero();

        HttpResponse<String> again = post(location + "/cancel", "");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(again.body()).contains("cancelled already");
        assertThat(post("/api/v1/supernets/" + supernet + "/catalogue-builds/" + UUID.randomUUID() + "/cancel", "")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void theCliStopsABuildCancelledThroughTheApi() {
        TinySupernet.awaitBuilds(builds, supernet);
        CatalogueBuilds.Build build = queue.create(supernet, 300, 777L);
        CatalogueBuildRunner.Outcome outcome = runner.run(build.id(), null, new CatalogueBuildListener() {
            @Override
            public void onSubnet(Progress progress) {
                if (progress.done() >= 1) {
                    queue.cancel(supernet, build.id());
                }
            }
        });
        assertThat(outcome.state()).isEqualTo(JobState.CANCELLED);
        assertThat(outcome.done()).isLessThan(300);
        CatalogueBuilds.Build stored = builds.find(build.id()).orElseThrow();
        assertThat(stored.state()).isEqualTo(JobState.CANCELLED);
        // the row evaluated as the cancel came is kept, and counted
        assertThat(stored.done()).isEqualTo(outcome.done());
    }

    @Test
    void aBuildWhoseLockEndedWithItsSessionStopsInsteadOfRunningOnUnguarded() throws Exception {
        CatalogueBuilds.Build build = queue.create(supernet, 8, 31L);
        java.util.concurrent.atomic.AtomicBoolean killed = new java.util.concurrent.atomic.AtomicBoolean();
        CatalogueBuildRunner.Outcome outcome = runner.run(build.id(), null, new CatalogueBuildListener() {
            @Override
            public void onSubnet(Progress progress) {
                if (killed.getAndSet(true)) {
                    return;
                }
                // only the session that holds the build's lock ends (an administrator, a dropped connection);
                // the pool's connections live on, so nothing else stops the build
                // the build's lock: a bigint key, which pg_locks shows as its high and low 32 bits
                long key = supernet.getMostSignificantBits() ^ supernet.getLeastSignificantBits();
                Integer ended = jdbc.sql("select count(pg_terminate_backend(pid)) from pg_locks"
                                + " where locktype = 'advisory' and granted and objsubid = 1"
                                + " and classid = ?::bigint::oid and objid = ?::bigint::oid")
                        .params(key >>> 32, key & 0xffffffffL)
                        .query(Integer.class)
                        .single();
                assertThat(ended).isEqualTo(1);
                try {
                    // past the watch's next look
                    Thread.sleep(LockWatch.EVERY.toMillis() + 500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        assertThat(outcome.state()).isEqualTo(JobState.RUNNING);
        assertThat(outcome.error()).isEqualTo(TrainingJobRunner.LOCK_LOST);
        assertThat(outcome.done()).isLessThan(outcome.total());
        // whoever takes it up next goes on from the first subnet not stored
        CatalogueBuildRunner.Outcome resumed = runner.run(build.id(), null, new CatalogueBuildListener() {});
        assertThat(resumed.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(duplicates()).isZero();
    }

    private static final class Killed extends Error {}

    private record Run(int code, String out, String err) {}

    private Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new CatalogueCommand(
                        queue,
                        builds,
                        runner,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8))
                .execute(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                .header("Content-Type", "application/json")
                                .header("Authorization", "Bearer " + dev.tailor.security.TestKeys.OPERATOR)
                                .POST(HttpRequest.BodyPublishers.ofString(json))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
