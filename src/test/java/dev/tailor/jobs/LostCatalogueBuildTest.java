package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.catalogue.CatalogueEvents;
import dev.tailor.catalogue.JobState;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.db.DatabaseSwitch;
import dev.tailor.training.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.test.annotation.DirtiesContext;

/**
 * A training job's success is stored before its catalogue build is queued, in a step of its own.
 * With the database away at that moment (or the process dying there) the supernet still gets its
 * build, once: from the job's execution taken up again, or from the sweep for missing builds.
 */
@SpringBootTest(
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false",
            "tailor.worker.enabled=false",
            "tailor.catalogue.build-after-training=true",
            "spring.datasource.hikari.connection-timeout=1500",
            "tailor.test.context=lost-catalogue-build"
        })
@DirtiesContext
class LostCatalogueBuildTest {

    static final AtomicBoolean CUT = new AtomicBoolean();

    @TestConfiguration
    static class Cutter {
        @Bean
        Object databaseCutter(DataSource dataSource) {
            return new Object() {
                @EventListener
                @Order(Ordered.HIGHEST_PRECEDENCE)
                void cut(CatalogueEvents.SupernetTrained trained) throws Exception {
                    if (CUT.getAndSet(false)) {
                        DatabaseSwitch.refuseConnections(dataSource);
                    }
                }
            };
        }
    }

    @Autowired
    TrainingJobRunner runner;

    @Autowired
    CatalogueBuilds builds;

    @Autowired
    DataSource dataSource;

    @Autowired
    CatalogueBuildQueue queue;

    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    private TrainingJobSpec.Prepared tiny(String name) throws Exception {
        Path dataset =
                IdxFixture.write(Files.createTempDirectory(Path.of("target").toAbsolutePath(), "lost"), 640, 100);
        return TrainCommand.spec(TrainCommand.parse(new String[] {
                    "--dataset", dataset.toString(),
                    "--name", name,
                    "--schedule", "sandwich",
                    "--epochs", "1",
                    "--batch-size", "32",
                    "--max-steps-per-epoch", "4",
                    "--validation-size", "100",
                    "--calibration-images", "64",
                    "--lr", "0.05"
                }))
                .prepare(null);
    }

    /** Trains a job whose catalogue build the database's outage keeps from being queued. */
    private TrainingJobRunner.Outcome trainedThroughAnOutage(TrainingJobSpec.Prepared prepared, TrainingJob job)
            throws Exception {
        CUT.set(true);
        try {
            return runner.run(job.getId(), prepared, new TrainingListener() {});
        } finally {
            DatabaseSwitch.allowConnections(dataSource);
        }
    }

    @Autowired
    dev.tailor.catalogue.SupernetRepository supernets;

    @Autowired
    dev.tailor.catalogue.ArtifactRepository artifacts;

    @Test
    void askingForTheFirstBuildDoesNotWaitOnABuildThatRuns() throws Exception {
        dev.tailor.catalogue.Artifact checkpoint = dev.tailor.catalogue.Artifact.of(
                java.util.UUID.randomUUID().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "application/zip");
        artifacts.save(checkpoint);
        dev.tailor.catalogue.Supernet trained =
                new dev.tailor.catalogue.Supernet("first-build-lock", "{}", "fashion-mnist");
        trained.markReady(checkpoint.getSha256());
        java.util.UUID supernetId = supernets.save(trained).getId();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (java.sql.Connection running = dataSource.getConnection()) {
            // what a running build of the supernet holds for as long as it runs
            assertThat(AdvisoryLock.tryLock(running, supernetId)).isTrue();
            // a job taken up again after its success asks for the first build: it used to take the same key
            var asked = pool.submit(() -> queue.enqueueFirst(supernetId));
            assertThat(asked.get(20, java.util.concurrent.TimeUnit.SECONDS)).isPresent();
            AdvisoryLock.unlock(running, supernetId);
        } finally {
            pool.shutdownNow();
        }
    }

    @Autowired
    TrainingJobSubmission submission;

    @Autowired
    org.springframework.transaction.support.TransactionTemplate transactions;

    private long rows(String sql, java.util.UUID id) {
        return jdbc.sql(sql).param(id.toString()).query(Long.class).single();
    }

    /**
     * A job's row and its queue entry were written one after the other, on two connections: a process
     * killed between the two (its transaction never committed) left a QUEUED row no worker would ever
     * take, shown as queued for good. The queue's client now writes in the caller's transaction: a
     * transaction that does not commit leaves neither. Likewise for a catalogue build.
     */
    @Test
    void aJobOrBuildAndItsQueueEntryAreStoredTogetherOrNotAtAll() throws Exception {
        TrainingJobSpec.Prepared prepared = tiny("stored-with-its-entry");
        java.util.UUID jobId = transactions.execute(status -> {
            java.util.UUID id = submission.submit(prepared).getId();
            // as a process killed here: the transaction never commits
            status.setRollbackOnly();
            return id;
        });
        assertThat(rows("select count(*) from training_job where id::text = ?", jobId))
                .isZero();
        assertThat(rows("select count(*) from scheduled_tasks where task_instance = ?", jobId))
                .as("queue entries of a job that was never stored")
                .isZero();

        dev.tailor.catalogue.Artifact checkpoint = dev.tailor.catalogue.Artifact.of(
                java.util.UUID.randomUUID().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "application/zip");
        artifacts.save(checkpoint);
        dev.tailor.catalogue.Supernet trained =
                new dev.tailor.catalogue.Supernet("stored-with-its-entry", "{}", "fashion-mnist");
        trained.markReady(checkpoint.getSha256());
        java.util.UUID supernetId = supernets.save(trained).getId();
        java.util.UUID buildId = transactions.execute(status -> {
            java.util.UUID id = queue.enqueue(supernetId, 6, 1L).id();
            status.setRollbackOnly();
            return id;
        });
        assertThat(rows("select count(*) from catalogue_build where id::text = ?", buildId))
                .isZero();
        assertThat(rows("select count(*) from scheduled_tasks where task_instance = ?", buildId))
                .as("queue entries of a build that was never stored")
                .isZero();

        // and committed, both are there
        java.util.UUID queued = submission.submit(prepared).getId();
        assertThat(rows("select count(*) from scheduled_tasks where task_instance = ?", queued))
                .isOne();
    }

    @Test
    void theSweepQueuesTheBuildAnOutageLostOnceAndOnlyOnce() throws Exception {
        TrainingJobSpec.Prepared prepared = tiny("swept-build");
        TrainingJobRunner.Outcome outcome = trainedThroughAnOutage(prepared, runner.create(prepared));
        assertThat(outcome.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(builds.countOfSupernet(outcome.supernetId())).isZero();

        MissingCatalogueBuilds sweep = new MissingCatalogueBuilds(jdbc, queue, true, 0);
        assertThat(sweep.sweep()).isEqualTo(1);
        assertThat(sweep.sweep()).isZero();
        assertThat(builds.countOfSupernet(outcome.supernetId())).isEqualTo(1);
    }

    @Test
    void aSupernetTrainedJustBeforeAnOutageStillGetsItsCatalogueBuild() throws Exception {
        TrainingJobSpec.Prepared prepared = tiny("lost-build");
        TrainingJob job = runner.create(prepared);
        TrainingJobRunner.Outcome outcome = trainedThroughAnOutage(prepared, job);
        assertThat(outcome.state()).isEqualTo(JobState.SUCCEEDED);
        // as db-scheduler would after a crash at the same point: the execution is revived and run again
        TrainingJobRunner.Outcome again = runner.run(job.getId(), prepared, new TrainingListener() {});
        assertThat(again.state()).isEqualTo(JobState.SUCCEEDED);

        assertThat(builds.countOfSupernet(outcome.supernetId()))
                .as("catalogue builds of the trained supernet")
                .isEqualTo(1);
    }
}
