package dev.tailor.jobs;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.logging.LogLevel;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.tailor.ProcessShutdown;
import dev.tailor.catalogue.JobState;
import dev.tailor.training.TrainingDevice;
import dev.tailor.training.TrainingListener;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/**
 * Training jobs and catalogue builds run through db-scheduler on the catalogue's PostgreSQL: any process can enqueue,
 * every worker replica polls, and a job whose worker died (its heartbeat stopped) is picked up
 * again and resumes from its last checkpoint.
 */
@Configuration(proxyBeanMethods = false)
public class TrainingJobQueue {

    static final String TASK = "training-job";
    static final String CATALOGUE_TASK = "catalogue-build";

    // Workers heartbeat every tailor.worker.heartbeat (10 s); six missed beats (a minute) mark the run
    // dead and another worker revives it.

    /**
     * How long a stopping worker waits for the job under way to reach a step boundary (a training
     * step or one catalogue subnet, about a second here): inside the 30 s a Kubernetes pod gets.
     */
    static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(20);

    /** A job that stopped part-way is put back due this soon: the next worker to start takes it. */
    static final Duration RETRY_AFTER_STOP = Duration.ofSeconds(2);

    /**
     * A job stopped part-way, by a shutdown or because the database went away: its execution goes
     * back to the queue (again and again, further apart, while the database stays away) instead of
     * ending.
     */
    static final class StoppedPartWay extends RuntimeException {
        private final boolean byShutdown;

        StoppedPartWay(String job, String why) {
            super(job + " " + why + "; it continues from where it stopped");
            this.byShutdown = TrainingJobRunner.STOPPED.equals(why);
        }

        /** Handed back by a stopping process, not stopped by a fault. */
        boolean byShutdown() {
            return byShutdown;
        }
    }

    /** The longest a failed job waits before it is tried again. */
    static final Duration MAX_RETRY_WAIT = Duration.ofMinutes(5);

    /**
     * A job handed back by a stopping process is due {@link #RETRY_AFTER_STOP} later however often it
     * was handed back before (db-scheduler counts each hand-back as a failure, and its exponential
     * backoff has no cap: after ten stops a job waited 2 minutes, after twenty 1.8 hours, with the
     * workers idle). Any other failure (the database away, a dataset this worker cannot read) waits
     * 1.5 times longer each time, at most {@link #MAX_RETRY_WAIT}.
     */
    static <T> FailureHandler<T> retryPolicy() {
        return (complete, operations) -> {
            boolean handedBack =
                    complete.getCause().orElse(null) instanceof StoppedPartWay stopped && stopped.byShutdown();
            Duration wait = handedBack ? RETRY_AFTER_STOP : retryWait(complete.getExecution().consecutiveFailures);
            operations.reschedule(complete, Instant.now().plus(wait));
        };
    }

    /** The wait after a failure that follows {@code failuresBefore} others in a row. */
    static Duration retryWait(int failuresBefore) {
        double millis = RETRY_AFTER_STOP.toMillis() * Math.pow(1.5, Math.min(failuresBefore, 40));
        return millis >= MAX_RETRY_WAIT.toMillis() ? MAX_RETRY_WAIT : Duration.ofMillis((long) millis);
    }

    @Bean
    OneTimeTask<String> trainingTask(ObjectProvider<TrainingJobRunner> runner, ObjectProvider<TrainingDevice> device) {
        return Tasks.oneTime(TASK, String.class).onFailure(retryPolicy()).execute((instance, context) -> {
            UUID id = UUID.fromString(instance.getData());
            refuseWhileStopping("training job " + id);
            TrainingListener stops = new TrainingListener() {
                @Override
                public boolean stopRequested() {
                    return context.getSchedulerState().isShuttingDown() || ProcessShutdown.started();
                }
            };
            TrainingJobRunner.Outcome outcome =
                    runner.getObject().run(id, null, stops, device.getIfAvailable(() -> TrainingDevice.CPU));
            if (outcome.state() == JobState.RUNNING) {
                throw new StoppedPartWay("training job " + id, outcome.error());
            }
        });
    }

    @Bean
    OneTimeTask<String> catalogueBuildTask(ObjectProvider<CatalogueBuildRunner> runner) {
        // ahead of queued training: a trained supernet is of no use until its catalogue exists
        return Tasks.oneTime(CATALOGUE_TASK, String.class)
                .defaultPriority(CatalogueBuildQueue.PRIORITY)
                .onFailure(retryPolicy())
                .execute((instance, context) -> {
                    UUID id = UUID.fromString(instance.getData());
                    refuseWhileStopping("catalogue build " + id);
                    CatalogueBuildRunner.Outcome outcome = runner.getObject()
                            .run(id, System.getenv("TAILOR_DATASET_DIR"), new CatalogueBuildListener() {
                                @Override
                                public boolean stopRequested() {
                                    return context.getSchedulerState().isShuttingDown() || ProcessShutdown.started();
                                }
                            });
                    if (outcome.state() == JobState.RUNNING) {
                        throw new StoppedPartWay("catalogue build " + id, outcome.error());
                    }
                });
    }

    /**
     * A stopping process takes up no job (its scheduler still polls while requests finish): without
     * this, a job handed back was picked again every 2 s and restored its supernet each time, beside
     * the export a request in flight was timing.
     */
    private static void refuseWhileStopping(String job) {
        if (ProcessShutdown.started()) {
            throw new StoppedPartWay(job, TrainingJobRunner.STOPPED);
        }
    }

    /** For enqueueing from any role; the worker's Scheduler is a client too, hence primary. */
    @Bean
    @org.springframework.context.annotation.Primary
    SchedulerClient schedulerClient(
            DataSource dataSource, OneTimeTask<String> trainingTask, OneTimeTask<String> catalogueBuildTask) {
        // without priority on the client too, the rows it writes carry none, and a build would not go first.
        // In the caller's transaction, where there is one: a job's row and its queue entry are stored together
        // or not at all (stored one after the other, a process killed between them left a QUEUED row that no
        // worker would ever take)
        return SchedulerClient.Builder.create(
                        new org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy(dataSource),
                        trainingTask,
                        catalogueBuildTask)
                .enablePriority()
                .build();
    }

    /** Puts a stored job on the queue. */
    public static void enqueue(SchedulerClient client, OneTimeTask<String> task, UUID jobId) {
        client.scheduleIfNotExists(task.instance(jobId.toString(), jobId.toString()), Instant.now());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "tailor.worker.enabled", havingValue = "true", matchIfMissing = true)
    static class Worker {

        @Bean(destroyMethod = "stop")
        Scheduler trainingScheduler(
                DataSource dataSource,
                OneTimeTask<String> trainingTask,
                OneTimeTask<String> catalogueBuildTask,
                @org.springframework.beans.factory.annotation.Value("${tailor.worker.heartbeat:PT10S}")
                        Duration heartbeat) {
            return Scheduler.create(dataSource, trainingTask, catalogueBuildTask)
                    .threads(1)
                    // training and catalogue builds run libtorch and ONNX Runtime: a large stack
                    .executorService(dev.tailor.NativeStacks.pool("training-worker", 1))
                    .pollingInterval(Duration.ofSeconds(2))
                    .heartbeatInterval(heartbeat)
                    // host and process: which process runs a job shows in the job table
                    .schedulerName(
                            new com.github.kagkarlsson.scheduler.SchedulerName.Fixed(dev.tailor.ProcessName.current()))
                    .missedHeartbeatsLimit(6)
                    .enableImmediateExecution()
                    .enablePriority()
                    // take a job only when a thread is free, so that the next one is chosen by priority
                    // then (a build queued while training ran goes first), not fetched ahead of time
                    .pollUsingLockAndFetch(0.5, 1.0)
                    // the job under way sees the shutdown and stops at its next step boundary
                    .shutdownMaxWait(SHUTDOWN_WAIT)
                    // a job handed back (StoppedPartWay) is a "failure" to db-scheduler, logged at every stop
                    // with a stack trace; the runners log real failures with theirs
                    .failureLogging(LogLevel.INFO, false)
                    .build();
        }

        /**
         * The device this worker trains on ({@code TAILOR_TRAINING_DEVICE}: cpu, gpu or gpu:N), checked
         * at start: a worker that cannot use it refuses to start (TrainingDeviceFailureAnalyzer says
         * why) instead of failing every job it takes.
         */
        @Bean
        TrainingDevice workerTrainingDevice(
                @org.springframework.beans.factory.annotation.Value("${tailor.training.device:cpu}") String device) {
            return TrainingDevice.resolve(device);
        }

        @EventListener(ApplicationReadyEvent.class)
        void start(ApplicationReadyEvent event) {
            event.getApplicationContext().getBean(Scheduler.class).start();
        }
    }
}
