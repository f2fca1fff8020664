package dev.tailor.jobs;

import dev.tailor.api.DatabaseOutage;
import dev.tailor.catalogue.Artifact;
import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.metrics.WorkEvents;
import dev.tailor.training.Checkpoint;
import dev.tailor.training.TrainingListener;
import dev.tailor.training.TrainingProgress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a training job's run tells the catalogue as it goes: progress on the job's row now and then
 * (and as events, for metrics and server-sent progress), and every checkpoint as an artifact the
 * job points to, the one before it deleted unless another row still refers to it. A run stopped
 * part-way through an epoch by a shutdown leaves a checkpoint of its steps too, so that the job
 * continues from there; a cancelled run, or one whose job lock went away, leaves none.
 */
final class TrainingJobListener implements TrainingListener {

    private static final Logger log = LoggerFactory.getLogger(TrainingJobListener.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long PROGRESS_INTERVAL_NANOS = 2_000_000_000L;

    private final UUID jobId;
    private final java.util.function.BooleanSupplier mustStop;
    private final java.util.function.BooleanSupplier mayKeepStoppedSteps;
    private final TrainingListener console;
    private final TrainingJobRepository jobs;
    private final ArtifactRepository artifacts;
    private final TransactionTemplate transactions;
    private final DataSource dataSource;
    private final ApplicationEventPublisher events;
    private long lastWrite;
    private TrainingProgress latest;

    TrainingJobListener(
            UUID jobId,
            TrainingListener console,
            TrainingJobRepository jobs,
            ArtifactRepository artifacts,
            TransactionTemplate transactions,
            DataSource dataSource,
            ApplicationEventPublisher events,
            java.util.function.BooleanSupplier mustStop,
            java.util.function.BooleanSupplier mayKeepStoppedSteps) {
        this.mustStop = mustStop;
        this.mayKeepStoppedSteps = mayKeepStoppedSteps;
        this.jobId = jobId;
        this.console = console;
        this.jobs = jobs;
        this.artifacts = artifacts;
        this.transactions = transactions;
        this.dataSource = dataSource;
        this.events = events;
    }

    private static Map<String, Object> progressJson(TrainingProgress p) {
        Map<String, Object> progress = new LinkedHashMap<>();
        progress.put("epoch", p.epoch());
        progress.put("epochs", p.epochs());
        progress.put("step", p.step());
        progress.put("stepsPerEpoch", p.stepsPerEpoch());
        progress.put("globalStep", p.globalStep());
        progress.put("totalSteps", p.totalSteps());
        progress.put("phase", p.phase());
        progress.put("loss", p.loss());
        progress.put("learningRate", p.learningRate());
        progress.put("epsilon", p.epsilon());
        progress.put("imagesPerSecond", p.imagesPerSecond());
        progress.put("etaSeconds", p.etaSeconds());
        progress.put("fractionDone", p.fractionDone());
        progress.put("device", p.device());
        return progress;
    }

    @Override
    public void onProgress(TrainingProgress progress) {
        latest = progress;
        console.onProgress(progress);
        events.publishEvent(
                new WorkEvents.TrainingProgressed(jobId, progress.fractionDone(), progress.imagesPerSecond()));
        long now = System.nanoTime();
        if (now - lastWrite > PROGRESS_INTERVAL_NANOS) {
            lastWrite = now;
            writeProgress(null);
        }
    }

    @Override
    public void onCheckpoint(int epoch, Checkpoint checkpoint, byte[] bytes) {
        console.onCheckpoint(epoch, checkpoint, bytes);
        keep(bytes);
        writeProgress(epoch);
    }

    @Override
    public void onStoppedPartWay(
            int epoch, int steps, Checkpoint checkpoint, java.util.function.Supplier<byte[]> bytes) {
        // a cancelled job needs none, and without the lock another process may be writing the job's checkpoints
        if (!mayKeepStoppedSteps.getAsBoolean()) {
            return;
        }
        byte[] kept;
        try {
            kept = bytes.get();
            keep(kept);
        } catch (RuntimeException e) {
            // the stop goes on: the job continues from the checkpoint of its last finished epoch instead
            log.warn(
                    "Job {} stopped after step {} of epoch {}; those steps are not kept ({}), it continues from the"
                            + " epoch's start",
                    jobId,
                    steps,
                    epoch + 1,
                    e.toString());
            return;
        }
        console.onStoppedPartWay(epoch, steps, checkpoint, () -> kept);
        log.info("Job {} stopped after step {} of epoch {}; it continues from there", jobId, steps, epoch + 1);
        try {
            writeProgress(null);
        } catch (RuntimeException e) {
            // the checkpoint is kept; the progress shown is that of the last write, and the job is not failed for it
            log.warn("Progress of job {} not stored at its stop: {}", jobId, e.toString());
        }
    }

    /** Makes {@code bytes} the job's checkpoint. */
    private void keep(byte[] bytes) {
        Artifact artifact = Artifact.of(bytes, Checkpoint.MEDIA_TYPE);
        String previous = transactions.execute(status -> {
            artifacts.storeIfAbsent(artifact);
            TrainingJob job = jobs.findById(jobId).orElseThrow();
            String before = job.getLastCheckpoint();
            job.setLastCheckpoint(artifact.getSha256());
            return before;
        });
        // only the newest checkpoint is kept: it holds the whole state (unless another row holds it too)
        if (previous != null && !previous.equals(artifact.getSha256())) {
            try {
                transactions.executeWithoutResult(status -> artifacts.deleteUnreferenced(previous));
            } catch (DataIntegrityViolationException stillReferred) {
                log.debug("Checkpoint {} is referred to by another row; kept", previous);
            }
        }
    }

    @Override
    public boolean stopRequested() {
        // a run whose lock is gone stops at once (another process may be taking the job up), and a cancelled one
        return console.stopRequested() || mustStop.getAsBoolean();
    }

    private void writeProgress(Integer completedEpoch) {
        if (latest == null) {
            return;
        }
        Map<String, Object> progress = progressJson(latest);
        // between checkpoints too: a write in the middle of an epoch replaced the whole document and left it out
        progress.put("epochsCompleted", completedEpoch != null ? completedEpoch + 1 : latest.epoch());
        Runnable write = () -> transactions.executeWithoutResult(
                status -> jobs.findById(jobId).ifPresent(job -> job.setProgress(JSON.writeValueAsString(progress))));
        if (completedEpoch != null) {
            write.run();
            return;
        }
        try {
            write.run();
        } catch (RuntimeException e) {
            // progress between checkpoints only informs: a database away for a moment stops no training
            if (!DatabaseOutage.explains(e, dataSource)) {
                throw e;
            }
            log.warn("Progress of job {} not stored, the database cannot be reached: {}", jobId, e.getMessage());
        }
    }
}
