package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import dev.tailor.ServiceProcess;
import dev.tailor.TailorProperties;
import dev.tailor.catalogue.JobState;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@code kill -9} of a whole service process during training and during a catalogue build, and SIGTERM
 * during a build: a
 * second service process on the same home and database takes the dead job up again (its worker's
 * heartbeat stopped), training continues from its last checkpoint, the build from its last stored
 * subnet, and nothing is lost or duplicated. The test's own context runs no worker, so only the
 * service processes take jobs.
 */
@SpringBootTest(
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false",
            "tailor.worker.enabled=false",
            "tailor.test.context=job-kill"
        })
class JobKillTest {

    @Autowired
    TrainingJobRunner runner;

    @Autowired
    TrainingJobRepository jobs;

    @Autowired
    CatalogueBuilds builds;

    @Autowired
    CatalogueBuildQueue queue;

    @Autowired
    SchedulerClient scheduler;

    @Autowired
    @Qualifier("trainingTask")
    OneTimeTask<String> trainingTask;

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
    void aServiceKilledMidTrainingLeavesTheJobToTheNextOneWhichResumesFromItsCheckpoint() throws Exception {
        Path dataset = IdxFixture.write(
                Files.createTempDirectory(Path.of("target").toAbsolutePath(), "kill-training"), 640, 100);
        TrainingJobSpec.Prepared prepared = TrainCommand.spec(TrainCommand.parse(new String[] {
                    "--dataset", dataset.toString(),
                    "--name", "killed-mid-training",
                    "--schedule", "sandwich",
                    "--epochs", "4",
                    "--batch-size", "32",
                    "--max-steps-per-epoch", "15",
                    "--validation-size", "100",
                    "--calibration-images", "64",
                    "--lr", "0.05"
                }))
                .prepare(null);
        UUID id = runner.create(prepared).getId();
        ServiceProcess first = start("trainer-first");
        TrainingJobQueue.enqueue(scheduler, trainingTask, id);
        await("the first epoch's checkpoint", Duration.ofMinutes(3), () -> job(id).getLastCheckpoint() != null);
        assertThat(pickedBy(TrainingJobQueue.TASK, id.toString())).endsWith(first.schedulerSuffix());

        first.kill();
        assertThat(job(id).getState()).isEqualTo(JobState.RUNNING);
        start("trainer-second");
        await(
                "the job to finish",
                Duration.ofMinutes(4),
                () -> job(id).getState() != JobState.RUNNING && job(id).getState() != JobState.QUEUED);

        TrainingJob done = job(id);
        assertThat(done.getState()).as(done.getError()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.getResumedFromEpoch()).isGreaterThanOrEqualTo(1);
        assertThat(done.getAttempts()).isGreaterThanOrEqualTo(2);
        assertThat(jdbc.sql("select count(*) from supernet where id = ?")
                        .param(done.getSupernetId())
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from training_job where supernet_id = ?")
                        .param(done.getSupernetId())
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        // the job is marked done inside its execution; the execution row goes a moment later
        await("no job left on the queue", Duration.ofSeconds(30), () -> tasks() == 0);
    }

    @Test
    void aServiceKilledMidBuildLeavesTheBuildToTheNextOneWithNoLostOrDuplicateRow() throws Exception {
        UUID supernet = TinySupernet.trained(runner, builds);
        ServiceProcess first = start("builder-first");
        CatalogueBuilds.Build build = queue.enqueue(supernet, 30, 9L);
        await(
                "four subnets stored",
                Duration.ofMinutes(3),
                () -> builds.find(build.id()).orElseThrow().done() >= 4);

        first.kill();
        CatalogueBuilds.Build atKill = builds.find(build.id()).orElseThrow();
        assertThat(atKill.finished()).as("killed before the build finished").isFalse();
        start("builder-second");
        TinySupernet.awaitBuild(builds, build.id());

        CatalogueBuilds.Build done = builds.find(build.id()).orElseThrow();
        assertThat(done.state()).as(done.error()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.done()).isEqualTo(30);
        assertThat(done.attempts()).isGreaterThanOrEqualTo(2);
        assertEachPlannedSubnetEvaluatedOnce(supernet, 30, 9L);
        // the job is marked done inside its execution; the execution row goes a moment later
        await("no job left on the queue", Duration.ofSeconds(30), () -> tasks() == 0);
    }

    /**
     * SIGTERM mid-build: ONNX Runtime closes in its own shutdown hook beside Spring's, so the subnet
     * under way fails; the build must come back as stopped (resumable), not as failed.
     */
    @Test
    void aServiceStoppedMidBuildHandsTheBuildBackAndTheNextOneFinishesIt() throws Exception {
        UUID supernet = TinySupernet.trained(runner, builds);
        ServiceProcess first = start("builder-stopped");
        CatalogueBuilds.Build build = queue.enqueue(supernet, 30, 11L);
        await(
                "four subnets stored",
                Duration.ofMinutes(3),
                () -> builds.find(build.id()).orElseThrow().done() >= 4);

        first.terminate();
        CatalogueBuilds.Build atStop = builds.find(build.id()).orElseThrow();
        assertThat(atStop.state()).as(atStop.error()).isEqualTo(JobState.RUNNING);
        assertThat(atStop.done()).isLessThan(30);
        // handed back at once, not held until the stopped worker's heartbeat is missed
        assertThat(pickedBy(TrainingJobQueue.CATALOGUE_TASK, build.id().toString()))
                .isEmpty();
        start("builder-after-stop");
        TinySupernet.awaitBuild(builds, build.id());

        CatalogueBuilds.Build done = builds.find(build.id()).orElseThrow();
        assertThat(done.state()).as(done.error()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.done()).isEqualTo(30);
        assertEachPlannedSubnetEvaluatedOnce(supernet, 30, 11L);
        await("no job left on the queue", Duration.ofSeconds(30), () -> tasks() == 0);
    }

    /**
     * Every subnet the build planned is stored with one validation evaluation, and no subnet of the
     * supernet (shared by this class's builds, each its own sample) is evaluated twice on a split.
     */
    private void assertEachPlannedSubnetEvaluatedOnce(UUID supernet, int subnets, long seed) {
        var row = jdbc.sql("select space_spec::text, num_classes from supernet where id = ?")
                .param(supernet)
                .query((rs, n) -> java.util.Map.entry(rs.getString(1), rs.getInt(2)))
                .single();
        List<dev.tailor.space.SubnetConfig> plan = CatalogueSampler.plan(
                dev.tailor.space.SearchSpace.fromJson(row.getKey()), row.getValue(), subnets, seed);
        assertThat(plan).hasSize(subnets);
        for (dev.tailor.space.SubnetConfig config : plan) {
            assertThat(jdbc.sql("select count(*) from evaluation e join subnet s on s.id = e.subnet_id"
                                    + " where s.supernet_id = ? and s.config_sha256 = ? and e.split = 'VALIDATION'")
                            .params(supernet, config.sha256())
                            .query(Long.class)
                            .single())
                    .as("validation evaluations of %s", config.canonicalJson())
                    .isEqualTo(1);
        }
        assertThat(jdbc.sql("select coalesce(max(n), 0) from (select count(*) n from evaluation e join subnet s on"
                                + " s.id = e.subnet_id where s.supernet_id = ? group by e.subnet_id, e.split) c")
                        .param(supernet)
                        .query(Long.class)
                        .single())
                .as("evaluations of one subnet on one split")
                .isEqualTo(1);
    }

    private ServiceProcess start(String name) throws Exception {
        ServiceProcess service = ServiceProcess.start(properties.home(), name);
        services.add(service);
        return service;
    }

    private TrainingJob job(UUID id) {
        return jobs.findById(id).orElseThrow();
    }

    private String pickedBy(String task, String instance) {
        return jdbc.sql("select coalesce(picked_by, '') from scheduled_tasks where task_name = ? and task_instance = ?")
                .params(task, instance)
                .query(String.class)
                .optional()
                .orElse("");
    }

    private long tasks() {
        return jdbc.sql("select count(*) from scheduled_tasks")
                .query(Long.class)
                .single();
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %s", what, limit).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
