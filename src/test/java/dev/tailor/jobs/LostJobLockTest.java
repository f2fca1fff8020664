package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tailor.catalogue.JobState;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.training.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The job's advisory lock lives in one database session. A PostgreSQL restart ends the session; a
 * run that went on training would then look free to anyone who asks (a worker reviving it, {@code
 * train} resuming it) and two processes would write the same job. So the run stops at its next
 * step boundary, left to continue from its last checkpoint.
 */
@SpringBootTest(
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false",
            "tailor.worker.enabled=false",
            "tailor.catalogue.build-after-training=false",
            "tailor.test.context=lost-job-lock"
        })
@DirtiesContext
class LostJobLockTest {

    @Autowired
    TrainingJobRunner runner;

    @Autowired
    TrainingJobRepository jobs;

    @Autowired
    DataSource dataSource;

    @Test
    void aRunWhoseLockEndedWithItsSessionStopsInsteadOfTrainingOnUnguarded() throws Exception {
        Path dataset =
                IdxFixture.write(Files.createTempDirectory(Path.of("target").toAbsolutePath(), "lock"), 640, 100);
        TrainingJobSpec.Prepared prepared = TrainCommand.spec(TrainCommand.parse(new String[] {
                    "--dataset", dataset.toString(),
                    "--name", "lost-lock",
                    "--schedule", "sandwich",
                    "--epochs", "12",
                    "--batch-size", "32",
                    "--max-steps-per-epoch", "12",
                    "--validation-size", "100",
                    "--calibration-images", "64",
                    "--lr", "0.05"
                }))
                .prepare(null);
        TrainingJob job = runner.create(prepared);
        CompletableFuture<TrainingJobRunner.Outcome> training =
                CompletableFuture.supplyAsync(() -> runner.run(job.getId(), prepared, new TrainingListener() {}));
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (jobs.findById(job.getId()).orElseThrow().getLastCheckpoint() == null) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(runner.isRunningElsewhere(job.getId()))
                .as("before the restart")
                .isTrue();

        // every session ends, as in a PostgreSQL restart; connections are accepted again at once
        String url = ((HikariDataSource) dataSource).getJdbcUrl().replace("/postgres?", "/template1?");
        try (Connection c = DriverManager.getConnection(url, "postgres", null);
                Statement s = c.createStatement()) {
            s.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = 'postgres'");
        }
        TrainingJobRunner.Outcome outcome = training.get(2, java.util.concurrent.TimeUnit.MINUTES);
        assertThat(outcome.state()).isEqualTo(JobState.RUNNING);
        assertThat(outcome.error()).isEqualTo(TrainingJobRunner.LOCK_LOST);
        // the pool still holds connections whose sessions were ended; a restarted server's clients meet
        // that once each, this test's reads need not
        ((HikariDataSource) dataSource).getHikariPoolMXBean().softEvictConnections();
        TrainingJob stopped = jobs.findById(job.getId()).orElseThrow();
        assertThat(stopped.getState()).isEqualTo(JobState.RUNNING);
        assertThat(stopped.getLastCheckpoint()).isNotNull();
        // nobody holds it now: the next run takes it up from its last checkpoint
        assertThat(runner.isRunningElsewhere(job.getId())).isFalse();
    }

    @Test
    void onlyARunningJobWhoseLockIsHeldCountsAsTrainingNow() throws Exception {
        Path dataset =
                IdxFixture.write(Files.createTempDirectory(Path.of("target").toAbsolutePath(), "held"), 640, 100);
        TrainingJobSpec.Prepared prepared = TrainCommand.spec(TrainCommand.parse(
                        new String[] {"--dataset", dataset.toString(), "--epochs", "1", "--validation-size", "100"}))
                .prepare(null);
        TrainingJob job = runner.create(prepared);
        job.setState(JobState.RUNNING);
        jobs.saveAndFlush(job);
        // left RUNNING by a stopped `train`: nobody trains it, so the host's speed watch may run
        assertThat(jobs.trainingNow()).isFalse();
        try (Connection session = dataSource.getConnection()) {
            assertThat(AdvisoryLock.tryLock(session, job.getId())).isTrue();
            assertThat(jobs.trainingNow()).isTrue();
            AdvisoryLock.unlock(session, job.getId());
        }
        assertThat(jobs.trainingNow()).isFalse();
    }
}
