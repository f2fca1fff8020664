package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import dev.tailor.catalogue.JobState;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;

/**
 * A worker told to stop while a training job runs: the job stops at a step boundary within the
 * shutdown wait, stays resumable, its execution goes back on the queue at once, and the next
 * worker finishes it.
 */
@SpringBootTest(
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false",
            "tailor.catalogue.build-after-training=false",
            "tailor.test.context=worker-shutdown"
        })
@DirtiesContext
class WorkerShutdownTest {

    @Autowired
    TrainingJobRunner runner;

    @Autowired
    TrainingJobRepository jobs;

    @Autowired
    Scheduler worker;

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    @Qualifier("trainingTask")
    OneTimeTask<String> trainingTask;

    @Autowired
    @Qualifier("catalogueBuildTask")
    OneTimeTask<String> catalogueBuildTask;

    @Test
    void aStoppedWorkerHandsItsJobBackAtOnceAndTheNextOneFinishesIt() throws Exception {
        Path dataset =
                IdxFixture.write(Files.createTempDirectory(Path.of("target").toAbsolutePath(), "shutdown"), 640, 100);
        TrainingJobSpec.Prepared prepared = TrainCommand.spec(TrainCommand.parse(new String[] {
                    "--dataset", dataset.toString(),
                    "--name", "stopped",
                    "--schedule", "sandwich",
                    "--epochs", "4",
                    "--batch-size", "32",
                    "--max-steps-per-epoch", "15",
                    "--validation-size", "100",
                    "--calibration-images", "64",
                    "--lr", "0.05"
                }))
                .prepare(null);
        TrainingJob job = runner.create(prepared);
        UUID id = job.getId();
        TrainingJobQueue.enqueue(worker, trainingTask, id);
        // stop once the first epoch's checkpoint is stored and training goes on
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (jobs.findById(id).orElseThrow().getLastCheckpoint() == null) {
            assertThat(System.nanoTime()).as("no checkpoint within 3 minutes").isLessThan(deadline);
            Thread.sleep(200);
        }

        long stopping = System.nanoTime();
        worker.stop();
        Duration stopTook = Duration.ofNanos(System.nanoTime() - stopping);

        assertThat(stopTook).isLessThan(TrainingJobQueue.SHUTDOWN_WAIT);
        TrainingJob stopped = jobs.findById(id).orElseThrow();
        assertThat(stopped.getState()).isEqualTo(JobState.RUNNING);
        assertThat(stopped.getError()).isNull();
        // back on the queue, not held by the stopped worker until dead-execution detection
        Boolean picked = jdbc.sql("select picked from scheduled_tasks where task_instance = ?")
                .param(id.toString())
                .query(Boolean.class)
                .single();
        assertThat(picked).isFalse();

        Scheduler next = Scheduler.create(dataSource, trainingTask, catalogueBuildTask)
                .threads(1)
                .pollingInterval(Duration.ofMillis(500))
                .build();
        next.start();
        try {
            deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!jobs.findById(id).orElseThrow().isFinished()) {
                assertThat(System.nanoTime())
                        .as("not finished within 5 minutes")
                        .isLessThan(deadline);
                Thread.sleep(500);
            }
        } finally {
            next.stop();
        }
        TrainingJob finished = jobs.findById(id).orElseThrow();
        assertThat(finished.getState()).as(finished.getError()).isEqualTo(JobState.SUCCEEDED);
        assertThat(finished.getResumedFromEpoch()).isPositive();
    }
}
