package dev.tailor.jobs;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceException;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;
import dev.tailor.api.Problems;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Cancels a queued or running training job: the job is CANCELLED at once (and stays so: see
 * migration V12), its queue entry goes unless a worker runs it, and a run under way stops at its
 * next step boundary, within seconds ({@link CancelWatch}), keeping its last checkpoint. The
 * supernet it was training is marked failed: it is never registered as ready.
 */
@Component
class TrainingJobCancellation {

    private static final Logger log = LoggerFactory.getLogger(TrainingJobCancellation.class);

    /** The job's {@code error} once cancelled. */
    static final String CANCELLED = "cancelled by an operator";

    private final JdbcClient jdbc;
    private final TrainingJobRepository jobs;
    private final SchedulerClient scheduler;
    private final TransactionTemplate transactions;

    TrainingJobCancellation(
            JdbcClient jdbc, TrainingJobRepository jobs, SchedulerClient scheduler, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.jobs = jobs;
        this.scheduler = scheduler;
        this.transactions = transactions;
    }

    TrainingJob cancel(UUID id) {
        transactions.executeWithoutResult(status -> cancelRows(id));
        try {
            scheduler.cancel(TaskInstanceId.of(TrainingJobQueue.TASK, id.toString()));
        } catch (TaskInstanceException runningOrGone) {
            // a worker runs it (it stops at its next step boundary) or it was never queued (a train verb's job)
            log.debug("Training job {} has no queue entry to remove: {}", id, runningOrGone.getMessage());
        }
        log.info("Training job {} cancelled", id);
        return jobs.findById(id).orElseThrow();
    }

    /** The job and its supernet, in one transaction: both or neither. */
    private void cancelRows(UUID id) {
        int changed = jdbc.sql("update training_job set state = 'CANCELLED', error = :why, updated_at = now()"
                        + " where id = :id and state in ('QUEUED', 'RUNNING')")
                .param("why", CANCELLED)
                .param("id", id)
                .update();
        if (changed == 0) {
            TrainingJob job = jobs.findById(id)
                    .orElseThrow(() -> Problems.notFound(
                            "Training job", "no training job " + id + "; GET /api/v1/training-jobs lists them"));
            throw Problems.conflict(
                    "training job " + id + " has " + job.getState().name().toLowerCase(Locale.ROOT)
                            + " already; only a queued or running job can be cancelled",
                    "id");
        }
        jdbc.sql("update supernet set state = 'FAILED', updated_at = now() where state = 'TRAINING'"
                        + " and id = (select supernet_id from training_job where id = :id)")
                .param("id", id)
                .update();
    }
}
