package dev.tailor.jobs;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import dev.tailor.api.Problems;
import dev.tailor.catalogue.TrainingJob;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.ErrorResponseException;

/**
 * Stores a training job and puts it on the queue in one transaction, or neither: a QUEUED row that
 * no worker will ever take (the queue refused it, the process died in between) would wait forever.
 */
@Component
public class TrainingJobSubmission {

    /** The queue (the job scheduler's table) could not take the job; nothing was kept. 503, try again later. */
    public static final class QueueUnavailableException extends ErrorResponseException {
        static final long RETRY_AFTER_SECONDS = 30;

        QueueUnavailableException(String what, RuntimeException cause) {
            this(
                    Problems.unavailable(
                            "the job queue did not take the " + what + ": " + cause.getMessage()
                                    + "; nothing was stored",
                            RETRY_AFTER_SECONDS,
                            Map.of()),
                    cause);
            log.warn("A {} was refused by the queue: {}", what, cause.getMessage());
        }

        private QueueUnavailableException(ErrorResponseException unavailable, RuntimeException cause) {
            super(unavailable.getStatusCode(), unavailable.getBody(), cause);
            getHeaders().putAll(unavailable.getHeaders());
        }

        @Override
        public String getMessage() {
            return getBody().getDetail();
        }
    }

    private static final Logger log = LoggerFactory.getLogger(TrainingJobSubmission.class);

    private final TrainingJobRunner runner;
    private final SchedulerClient scheduler;
    private final OneTimeTask<String> trainingTask;
    private final TransactionTemplate transactions;

    TrainingJobSubmission(
            TrainingJobRunner runner,
            SchedulerClient scheduler,
            @Qualifier("trainingTask") OneTimeTask<String> trainingTask,
            TransactionTemplate transactions) {
        this.runner = runner;
        this.scheduler = scheduler;
        this.trainingTask = trainingTask;
        this.transactions = transactions;
    }

    public TrainingJob submit(TrainingJobSpec.Prepared prepared) {
        return transactions.execute(status -> {
            TrainingJob job = runner.create(prepared);
            try {
                TrainingJobQueue.enqueue(scheduler, trainingTask, job.getId());
            } catch (RuntimeException e) {
                // thrown out of the transaction: the job's row goes with it
                throw new QueueUnavailableException("training job", e);
            }
            return job;
        });
    }
}
