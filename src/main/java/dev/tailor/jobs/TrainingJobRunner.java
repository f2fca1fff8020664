package dev.tailor.jobs;

import dev.tailor.ProcessShutdown;
import dev.tailor.api.DatabaseOutage;
import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.catalogue.CatalogueEvents;
import dev.tailor.catalogue.JobState;
import dev.tailor.catalogue.Split;
import dev.tailor.catalogue.SubnetRegistry;
import dev.tailor.catalogue.Supernet;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.cost.SubnetCosts;
import dev.tailor.data.DatasetFingerprint;
import dev.tailor.latency.DeviceLatencies;
import dev.tailor.metrics.JobLogContext;
import dev.tailor.metrics.WorkEvents;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import dev.tailor.training.SubnetAccuracy;
import dev.tailor.training.Trainer;
import dev.tailor.training.TrainingData;
import dev.tailor.training.TrainingDevice;
import dev.tailor.training.TrainingListener;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs one training job to its end: resumes from its last checkpoint if it has one, stores a
 * checkpoint artifact after every epoch, keeps the job row's progress current, and when done
 * registers the supernet in the catalogue with its largest and smallest subnets' accuracy.
 *
 * <p>A PostgreSQL advisory lock, held on its own connection while the job runs, keeps two
 * processes (a CLI run and a worker, or two workers) from training the same job at once.
 */
@Component
public class TrainingJobRunner {

    private static final Logger log = LoggerFactory.getLogger(TrainingJobRunner.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final TrainingJobRepository jobs;
    private final SupernetRepository supernets;
    private final SubnetRegistry registry;
    private final ArtifactRepository artifacts;
    private final TransactionTemplate transactions;
    private final DataSource dataSource;
    private final DeviceLatencies latencies;
    private final ApplicationEventPublisher events;

    TrainingJobRunner(
            TrainingJobRepository jobs,
            SupernetRepository supernets,
            SubnetRegistry registry,
            ArtifactRepository artifacts,
            TransactionTemplate transactions,
            DataSource dataSource,
            DeviceLatencies latencies,
            ApplicationEventPublisher events) {
        this.jobs = jobs;
        this.supernets = supernets;
        this.registry = registry;
        this.artifacts = artifacts;
        this.transactions = transactions;
        this.dataSource = dataSource;
        this.latencies = latencies;
        this.events = events;
    }

    /** Stores a validated job, queued; nothing is stored for a spec that does not validate. */
    public TrainingJob create(TrainingJobSpec.Prepared prepared) {
        TrainingJob job = new TrainingJob(
                prepared.options().schedule(),
                prepared.datasetName() + " (" + prepared.datasetDirectory() + ")",
                JSON.writeValueAsString(prepared.spec()));
        return jobs.saveAndFlush(job);
    }

    /** schedule-dataset, cut to what the catalogue stores: a directory's name can be longer. */
    static String defaultName(String name) {
        return name.length() <= Supernet.MAX_NAME_LENGTH ? name : name.substring(0, Supernet.MAX_NAME_LENGTH);
    }

    /**
     * The settings a job was created with, as stored. A job stored before {@code randomErase} existed
     * has none and trained without erasing: it reads as 0, so the same command, or {@code --resume} with
     * {@code --random-erase 0}, is the same run (it was told apart from one and refused the other). One
     * stored before {@code weightDecay} was (fab5b12) trained with the default of then, OFA's 3e-5: read as
     * today's default it no longer matched its own checkpoint, and resuming it failed the job.
     */
    public static TrainingJobSpec spec(TrainingJob job) {
        ObjectNode stored = (ObjectNode) JSON.readTree(job.getHyperParameters());
        if (!stored.hasNonNull("randomErase")) {
            stored.put("randomErase", 0.0);
        }
        if (!stored.hasNonNull("weightDecay")) {
            stored.put("weightDecay", WEIGHT_DECAY_BEFORE_IT_WAS_STORED);
        }
        return JSON.treeToValue(stored, TrainingJobSpec.class);
    }

    /** The weight decay every job trained with until it became a setting stored with the job. */
    static final double WEIGHT_DECAY_BEFORE_IT_WAS_STORED = 3e-5;

    /** The settings a job trains with as JSON: those stored, with what older code left out filled in as it trained. */
    static String settingsJson(TrainingJob job) {
        return JSON.writeValueAsString(spec(job));
    }

    /** The {@link Outcome#error()} of a job stopped on request, which continues from its last checkpoint. */
    static final String STOPPED = "stopped at a step boundary for a shutdown";

    /** The {@link Outcome#error()} of a job whose lock ended with its database session (see {@link LockWatch}). */
    static final String LOCK_LOST = "stopped because its database session ended (the database restarted?), and with"
            + " it the lock that keeps other processes from training the job too";

    /** The {@link Outcome#error()} of a job stopped because the database went away. */
    static final String WAITING_FOR_DATABASE = "stopped because the database cannot be reached";

    /** How a run ended. */
    public record Outcome(
            JobState state,
            UUID supernetId,
            Map<String, SubnetAccuracy> accuracy,
            Map<String, Object> scheduleReport,
            String error) {}

    /** The dataset found is not the one the job's supernet was trained on; nothing was changed. */
    public static final class DatasetMismatchException extends IllegalStateException {
        DatasetMismatchException(String message) {
            super(message);
        }
    }

    /** Another process (a worker of the service, another {@code tailor train}) holds the job's lock and trains it. */
    public static final class JobTakenException extends IllegalStateException {
        JobTakenException(UUID jobId) {
            super("job " + jobId + " is being trained by another process");
        }
    }

    /** Trains the job on the CPU in this thread; {@code console} also hears progress (the CLI's bar). */
    public Outcome run(UUID jobId, TrainingJobSpec.Prepared preloaded, TrainingListener console) {
        return run(jobId, preloaded, console, TrainingDevice.CPU);
    }

    /**
     * Trains the job on {@code device} in this thread. The device is the process's, not the job's:
     * a run continued elsewhere may continue on another device from the same checkpoint.
     */
    public Outcome run(
            UUID jobId, TrainingJobSpec.Prepared preloaded, TrainingListener console, TrainingDevice device) {
        try (var logContext = JobLogContext.of("training", jobId);
                Connection lockConnection = dataSource.getConnection()) {
            if (!AdvisoryLock.tryLock(lockConnection, jobId)) {
                throw new JobTakenException(jobId);
            }
            try {
                return runLocked(jobId, preloaded, console, device, new LockWatch(lockConnection));
            } finally {
                AdvisoryLock.unlock(lockConnection, jobId);
                events.publishEvent(new WorkEvents.WorkEnded("training", jobId));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the catalogue database: " + e.getMessage(), e);
        }
    }

    /** Whether some process holds the job's lock (is training it now). */
    public boolean isRunningElsewhere(UUID jobId) {
        try (Connection connection = dataSource.getConnection()) {
            if (AdvisoryLock.tryLock(connection, jobId)) {
                AdvisoryLock.unlock(connection, jobId);
                return false;
            }
            return true;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Outcome runLocked(
            UUID jobId,
            TrainingJobSpec.Prepared preloaded,
            TrainingListener console,
            TrainingDevice device,
            LockWatch lock) {
        TrainingJob job = jobs.findById(jobId).orElseThrow(() -> new IllegalArgumentException("no job " + jobId));
        if (job.isFinished()) {
            if (job.getState() == JobState.SUCCEEDED && job.getSupernetId() != null) {
                // run again after its success was stored: the process may have died (or the database gone
                // away) before the catalogue build was queued; queueing it is a no-op when it was
                events.publishEvent(new CatalogueEvents.SupernetTrained(job.getSupernetId()));
            }
            return new Outcome(job.getState(), job.getSupernetId(), Map.of(), Map.of(), job.getError());
        }
        TrainingJobSpec.Prepared prepared;
        TrainingData data;
        try {
            prepared = preloaded != null ? preloaded : spec(job).prepare(System.getenv("TAILOR_DATASET_DIR"));
            data = TrainingData.prepare(
                    prepared.datasetName(),
                    prepared.data(),
                    prepared.options().validationSize(),
                    prepared.options().seed());
        } catch (TrainingJobSpec.InvalidSpecException | dev.tailor.data.DatasetException e) {
            // it was read where the job was submitted: this worker lacks it (a volume mounted elsewhere, say);
            // said on the job, which stays where it was and is tried again, by this worker or another
            String why = "waiting for a worker that can read the dataset: " + dev.tailor.ProcessName.current()
                    + " cannot (" + e.getMessage() + ")";
            log.warn("Training job {}: {}", jobId, why);
            transactions.executeWithoutResult(status -> jobs.findById(jobId).ifPresent(stored -> stored.setError(why)));
            return new Outcome(JobState.RUNNING, job.getSupernetId(), Map.of(), Map.of(), why);
        }
        SearchSpace space = SearchSpace.forInput(data.train().channels());
        Supernet supernet = job.getSupernetId() == null
                ? null
                : supernets.findById(job.getSupernetId()).orElse(null);
        String fingerprint = DatasetFingerprint.of(prepared.data());
        if (supernet == null) {
            String name = prepared.spec().name() != null
                    ? prepared.spec().name()
                    : defaultName(prepared.options().schedule() + "-" + prepared.datasetName());
            Supernet created = new Supernet(name, space.toJson(), job.getDataset());
            created.setDatasetSha256(fingerprint);
            supernet = supernets.saveAndFlush(created);
            job.setSupernetId(supernet.getId());
        } else if (supernet.getDatasetSha256() != null
                && !supernet.getDatasetSha256().equals(fingerprint)) {
            // the job is left as it was: with the right data in place it continues. Said on the job, which
            // otherwise showed its last progress and no error while its worker retried it
            String mismatch = DatasetFingerprint.mismatch(
                    supernet.getId().toString(),
                    supernet.getDatasetSha256(),
                    fingerprint,
                    prepared.datasetDirectory().toString());
            String why = "waiting for a worker with the dataset the supernet was trained on: "
                    + dev.tailor.ProcessName.current() + " has another (" + mismatch + ")";
            log.warn("Training job {}: {}", jobId, why);
            transactions.executeWithoutResult(status -> jobs.findById(jobId).ifPresent(stored -> stored.setError(why)));
            throw new DatasetMismatchException(mismatch);
        }
        log.info(
                "Training {} on {}: {} epochs, attempt {}, on {}",
                prepared.options().schedule(),
                prepared.datasetName(),
                prepared.options().epochs(),
                job.getAttempts() + 1,
                device);
        job.setState(JobState.RUNNING);
        job.setError(null);
        job.countAttempt();
        job = jobs.saveAndFlush(job);
        UUID supernetId = supernet.getId();
        try (Trainer trainer = new Trainer(space, data, prepared.options(), device)) {
            if (job.getLastCheckpoint() != null) {
                byte[] checkpoint = artifacts
                        .findById(job.getLastCheckpoint())
                        .orElseThrow(() -> new IllegalStateException("the job's last checkpoint artifact is missing"))
                        .getContent();
                int epoch = trainer.resume(checkpoint);
                job.setResumedFromEpoch(epoch);
                job = jobs.saveAndFlush(job);
                log.info(
                        "Job {} resumes at step {} of epoch {} from checkpoint {}",
                        jobId,
                        trainer.stepsIntoNextEpoch() + 1,
                        epoch + 1,
                        job.getLastCheckpoint());
            }
            CancelWatch cancel = new CancelWatch(JdbcClient.create(dataSource), jobId);
            TrainingJobListener listener = new TrainingJobListener(
                    jobId,
                    console,
                    jobs,
                    artifacts,
                    transactions,
                    dataSource,
                    events,
                    () -> lock.getAsBoolean() || cancel.getAsBoolean(),
                    () -> !cancel.cancelledNow() && lock.heldNow());
            if (!trainer.train(listener)) {
                if (cancel.cancelled()) {
                    log.info("Training job {} stopped: {}", jobId, TrainingJobCancellation.CANCELLED);
                    return cancelled(supernetId);
                }
                if (lock.lost()) {
                    log.warn("Training job {} stopped: {}", jobId, LOCK_LOST);
                    return new Outcome(JobState.RUNNING, supernetId, Map.of(), Map.of(), LOCK_LOST);
                }
                // stopped on request: the job stays RUNNING with its last checkpoint, ready to continue
                return new Outcome(JobState.RUNNING, supernetId, Map.of(), Map.of(), STOPPED);
            }
            if (cancel.cancelledNow()) {
                // the last step trained: the evaluation that would follow takes a while and is of no use now
                return cancelled(supernetId);
            }
            Map<String, SubnetConfig> reported = trainer.reportedSubnets();
            List<SubnetConfig> distinct = List.copyOf(new LinkedHashSet<>(reported.values()));
            Map<SubnetConfig, SubnetAccuracy> measured = new HashMap<>();
            for (SubnetAccuracy result : trainer.evaluate(distinct)) {
                measured.put(result.config(), result);
            }
            Map<String, SubnetAccuracy> accuracy = new LinkedHashMap<>();
            reported.forEach((role, config) -> accuracy.put(role, measured.get(config)));
            Map<String, Object> scheduleReport = trainer.scheduleReport();
            if (!register(jobId, supernetId, space, data.train().numClasses(), accuracy, scheduleReport)) {
                log.info("Training job {} was cancelled as it finished; its supernet is not registered", jobId);
                return cancelled(supernetId);
            }
            refreshLatencies();
            log.info("Training done: supernet {} registered", supernetId);
            events.publishEvent(new CatalogueEvents.SupernetTrained(supernetId));
            return new Outcome(JobState.SUCCEEDED, supernetId, accuracy, scheduleReport, null);
        } catch (RuntimeException e) {
            if (DatabaseOutage.explains(e, dataSource)) {
                // not the job's fault: it stays RUNNING with its last stored checkpoint and is tried again
                log.warn("Training job {} stopped: the database cannot be reached ({})", jobId, e.getMessage());
                return new Outcome(JobState.RUNNING, supernetId, Map.of(), Map.of(), WAITING_FOR_DATABASE);
            }
            if (ProcessShutdown.started()) {
                // failed because the process is stopping (native engines close in their own shutdown hooks):
                // the job continues from its last checkpoint
                log.info("Training job {} stopped by a shutdown ({})", jobId, e.toString());
                return new Outcome(JobState.RUNNING, supernetId, Map.of(), Map.of(), STOPPED);
            }
            log.error("Training job {} failed", jobId, e);
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            fail(jobId, supernetId, error);
            if (jobs.findById(jobId)
                    .map(stored -> stored.getState() == JobState.CANCELLED)
                    .orElse(false)) {
                // cancelled before it failed: it stays cancelled (migration V12), and says so
                return cancelled(supernetId);
            }
            return new Outcome(JobState.FAILED, supernetId, Map.of(), Map.of(), error);
        }
    }

    /** New subnets get predicted or estimated latencies on every device; a failure here fails no job. */
    private void refreshLatencies() {
        try {
            latencies.refreshAll();
        } catch (RuntimeException e) {
            log.warn("Could not refresh device latencies: {}", e.getMessage());
        }
    }

    private void fail(UUID jobId, UUID supernetId, String error) {
        transactions.executeWithoutResult(status -> {
            jobs.findById(jobId).ifPresent(job -> {
                job.setState(JobState.FAILED);
                job.setError(error);
            });
            supernets.findById(supernetId).ifPresent(Supernet::markFailed);
        });
    }

    /**
     * The run of a cancelled job marks its own supernet failed: a cancellation that came before the run
     * stored the supernet on the job could not find it.
     */
    private Outcome cancelled(UUID supernetId) {
        JdbcClient.create(dataSource)
                .sql("update supernet set state = 'FAILED', updated_at = now() where id = ? and state = 'TRAINING'")
                .param(supernetId)
                .update();
        return new Outcome(JobState.CANCELLED, supernetId, Map.of(), Map.of(), TrainingJobCancellation.CANCELLED);
    }

    /** Registers the trained supernet and its subnets; false if the job was cancelled first (nothing then). */
    private boolean register(
            UUID jobId,
            UUID supernetId,
            SearchSpace space,
            int numClasses,
            Map<String, SubnetAccuracy> accuracy,
            Map<String, Object> scheduleReport) {
        return Boolean.TRUE.equals(transactions.execute(status -> {
            // the row locked: a cancellation either came first (nothing is registered) or waits and finds it done
            String state = JdbcClient.create(dataSource)
                    .sql("select state from training_job where id = ? for update")
                    .param(jobId)
                    .query(String.class)
                    .single();
            if (JobState.CANCELLED.name().equals(state)) {
                return false;
            }
            TrainingJob job = jobs.findById(jobId).orElseThrow();
            Supernet supernet = supernets.findById(supernetId).orElseThrow();
            supernet.markReady(job.getLastCheckpoint());
            supernet.setNumClasses(numClasses);
            for (SubnetAccuracy result : new LinkedHashSet<>(accuracy.values())) {
                SubnetConfig config = result.config();
                registry.register(
                        supernetId,
                        config,
                        SubnetCosts.of(SubnetPlan.of(space, config, numClasses)),
                        new SubnetRegistry.Measured(
                                Split.VALIDATION, result.validationTop1(), result.validationImages()),
                        new SubnetRegistry.Measured(Split.TEST, result.testTop1(), result.testImages()));
            }
            Map<String, Object> progress = readProgress(job);
            accuracy.forEach((role, result) -> progress.put(role, summary(result)));
            if (!scheduleReport.isEmpty()) {
                progress.put("schedule", scheduleReport);
            }
            job.setProgress(JSON.writeValueAsString(progress));
            job.setState(JobState.SUCCEEDED);
            return true;
        }));
    }

    private static Map<String, Object> summary(SubnetAccuracy accuracy) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("config", accuracy.config().canonicalJson());
        summary.put("validationTop1", accuracy.validationTop1());
        summary.put("testTop1", accuracy.testTop1());
        return summary;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readProgress(TrainingJob job) {
        return job.getProgress() == null
                ? new LinkedHashMap<>()
                : JSON.readValue(job.getProgress(), LinkedHashMap.class);
    }
}
