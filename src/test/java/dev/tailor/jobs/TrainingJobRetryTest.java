package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import dev.tailor.ProcessShutdown;
import dev.tailor.catalogue.JobState;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.training.TrainingListener;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;

@SpringBootTest(
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false",
            "tailor.worker.enabled=false",
            "tailor.catalogue.build-after-training=false",
            "tailor.test.context=training-job-retry"
        })
/**
 * How a job goes back to the queue: a hand-back by a stopping process is due 2 s later however often
 * it happened, other failures wait longer each time but at most five minutes, and a worker that
 * cannot read a job's dataset says so on the job instead of leaving it queued without a word.
 */
@DirtiesContext
class TrainingJobRetryTest {

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TrainingJobRunner runner;

    @Autowired
    TrainingJobRepository jobs;

    @Autowired
    @Qualifier("trainingTask")
    OneTimeTask<String> trainingTask;

    @Test
    void everyHandBackIsDueAfterTheSameShortDelay() throws Exception {
        UUID id = UUID.randomUUID();
        AtomicBoolean stopping = stopping();
        Scheduler scheduler = Scheduler.create(dataSource, trainingTask)
                .threads(1)
                .pollingInterval(Duration.ofMillis(100))
                .build();
        List<Double> delays = new ArrayList<>();
        stopping.set(true);
        try {
            TrainingJobQueue.enqueue(scheduler, trainingTask, id);
            scheduler.start();
            int seen = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen < 3 && System.nanoTime() < deadline) {
                var row = jdbc.sql(
                                "select coalesce(consecutive_failures, 0), extract(epoch from execution_time - last_failure)"
                                        + " from scheduled_tasks where task_instance = ? and picked = false")
                        .param(id.toString())
                        .query((rs, n) -> new double[] {rs.getInt(1), rs.getDouble(2)})
                        .optional();
                if (row.isPresent() && row.get()[0] > seen) {
                    seen = (int) row.get()[0];
                    delays.add(row.get()[1]);
                }
                Thread.sleep(50);
            }
        } finally {
            stopping.set(false);
            scheduler.stop();
        }
        assertThat(delays).hasSize(3);
        assertThat(delays).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(2.5));
    }

    @Test
    void otherFailuresWaitLongerEachTimeButAtMostFiveMinutes() {
        assertThat(TrainingJobQueue.retryWait(0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(TrainingJobQueue.retryWait(1)).isEqualTo(Duration.ofSeconds(3));
        assertThat(TrainingJobQueue.retryWait(2)).isEqualTo(Duration.ofMillis(4500));
        assertThat(TrainingJobQueue.retryWait(20)).isEqualTo(Duration.ofMinutes(5));
        assertThat(TrainingJobQueue.retryWait(1_000_000)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aJobThisWorkerCannotReadSaysSoAndStaysQueuedForAWorkerThatCan() throws Exception {
        Path dataset =
                IdxFixture.write(Files.createTempDirectory(Path.of("target").toAbsolutePath(), "gone"), 640, 100);
        TrainingJobSpec.Prepared prepared = TrainCommand.spec(TrainCommand.parse(new String[] {
                    "--dataset", dataset.toString(),
                    "--epochs", "1",
                    "--max-steps-per-epoch", "4",
                    "--validation-size", "100"
                }))
                .prepare(null);
        TrainingJob job = runner.create(prepared);
        try (var files = Files.walk(dataset)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
        TrainingJobRunner.Outcome outcome = runner.run(job.getId(), null, new TrainingListener() {});
        // RUNNING: the queue's task hands it back, to be tried again
        assertThat(outcome.state()).isEqualTo(JobState.RUNNING);
        TrainingJob after = jobs.findById(job.getId()).orElseThrow();
        assertThat(after.getState()).isEqualTo(JobState.QUEUED);
        assertThat(after.getError())
                .contains("waiting for a worker that can read the dataset")
                .contains(dataset.toString());
    }

    private static AtomicBoolean stopping() throws Exception {
        Field field = ProcessShutdown.class.getDeclaredField("STOPPING");
        field.setAccessible(true);
        return (AtomicBoolean) field.get(null);
    }
}
