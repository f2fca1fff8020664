package dev.tailor.jobs;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import dev.tailor.PeriodicWork;
import dev.tailor.catalogue.CatalogueEvents;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A fresh service has nothing to answer with: when the catalogue holds no supernet and no
 * training job, {@code serve} queues one default training run (deps on the default dataset).
 */
@Component
@ConditionalOnProperty(name = "tailor.bootstrap.enabled", havingValue = "true")
class CatalogueBootstrap {

    private static final Logger log = LoggerFactory.getLogger(CatalogueBootstrap.class);

    private final SupernetRepository supernets;
    private final TrainingJobRepository jobs;
    private final TrainingJobRunner runner;
    private final SchedulerClient scheduler;
    private final OneTimeTask<String> trainingTask;
    private final TransactionTemplate transactions;
    private final JdbcClient jdbc;
    private final BootstrapOutcome outcome;
    private final String datasetDirectory;
    private final long retrySeconds;
    private final PeriodicWork retries;

    /**
     * @param datasetDirectory {@code TAILOR_DATASET_DIR}, where the default dataset is when it is not Debian's
     *     {@code /usr/share/datasets/fashion-mnist}
     */
    CatalogueBootstrap(
            SupernetRepository supernets,
            TrainingJobRepository jobs,
            TrainingJobRunner runner,
            SchedulerClient scheduler,
            OneTimeTask<String> trainingTask,
            TransactionTemplate transactions,
            JdbcClient jdbc,
            BootstrapOutcome outcome,
            @Value("${TAILOR_DATASET_DIR:#{null}}") String datasetDirectory,
            @Value("${tailor.bootstrap.retry-seconds:60}") long retrySeconds) {
        this.supernets = supernets;
        this.jobs = jobs;
        this.runner = runner;
        this.scheduler = scheduler;
        this.trainingTask = trainingTask;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.outcome = outcome;
        this.datasetDirectory = datasetDirectory;
        this.retrySeconds = retrySeconds;
        this.retries = new PeriodicWork(
                "bootstrap-retry", "tailor.bootstrap.retry-seconds", retrySeconds, retrySeconds, this::retry, log);
    }

    /**
     * Names the transaction-scoped advisory lock every replica takes before it looks at an empty
     * catalogue: without it, two replicas starting together both see no job and both queue one.
     */
    static final long BOOTSTRAP_LOCK = 0x7a110_b007L;

    static final int QUICK_EPOCHS = 1;
    static final String QUICK_NAME = "bootstrap-quick";

    /** The short first run: one epoch of sandwich training (BigNAS) on the default dataset. */
    static TrainingJobSpec quickSpec() {
        return new TrainingJobSpec(
                "bootstrap-quick",
                "sandwich",
                null,
                null,
                QUICK_EPOCHS,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    @EventListener(ApplicationReadyEvent.class)
    void bootstrap() {
        if (supernets.count() > 0 || jobs.count() > 0) {
            // queued or trained by someone else (another replica, an operator): nothing left to refuse
            outcome.queued();
            return;
        }
        try {
            TrainingJobSpec.Prepared prepared = quickSpec().prepare(datasetDirectory);
            // a short run first, so that the service can answer within minutes; the default run is
            // queued when the short run's catalogue is built (quickCatalogueBuilt)
            TrainingJob quick = transactions.execute(status -> {
                jdbc.sql("select pg_advisory_xact_lock(:key)")
                        .param("key", BOOTSTRAP_LOCK)
                        .query()
                        .singleRow();
                // looked at again under the lock: another replica may have queued it meanwhile
                return supernets.count() > 0 || jobs.count() > 0 ? null : storedAndQueued(prepared);
            });
            if (quick == null) {
                return;
            }
            outcome.queued();
            log.info(
                    "The catalogue is empty: queued a quick training run {} (sandwich, {} epoch); its catalogue build"
                            + " follows, specializations are answered once it has enough rows, and the default run"
                            + " (deps, {} epochs) is queued when that build is done; follow them at"
                            + " /api/v1/training-jobs",
                    quick.getId(),
                    QUICK_EPOCHS,
                    TrainingJobSpec.DEFAULT_EPOCHS);
        } catch (TrainingJobSpec.InvalidSpecException e) {
            boolean first = outcome.refusal().isEmpty();
            outcome.refused(e.getMessage());
            if (first) {
                log.warn(
                        "The catalogue is empty and no supernet can be trained yet: {}; tried again every {} s",
                        e.getMessage(),
                        retrySeconds);
            }
            retries.start();
        }
    }

    /**
     * A refused bootstrap is tried again, so that a dataset installed after the start (or mounted late)
     * is found without a restart; once a run is queued, by this or anyone, a pass does nothing.
     */
    void retry() {
        if (outcome.refusal().isPresent()) {
            bootstrap();
        }
    }

    @PreDestroy
    void stop() {
        retries.stop();
    }

    /**
     * The quick run's catalogue is done: now the default run. Queued only then, so that it cannot
     * take the worker before the quick supernet's catalogue build; not after a cancelled build (an
     * operator stopping the automatic work would otherwise get the long run queued in its place).
     */
    @EventListener
    void quickCatalogueBuilt(CatalogueEvents.CatalogueGrew grew) {
        if (!grew.buildFinished()
                || grew.buildCancelled()
                || !supernets
                        .findById(grew.supernetId())
                        .map(s -> s.getName().equals(QUICK_NAME))
                        .orElse(false)
                || jobs.count() > 1) {
            return;
        }
        try {
            TrainingJobSpec.Prepared prepared =
                    TrainingJobSpec.allDefaults("bootstrap").prepare(datasetDirectory);
            TrainingJob full = transactions.execute(status -> storedAndQueued(prepared));
            log.info("The quick supernet's catalogue is built: queued the default training run {}", full.getId());
        } catch (TrainingJobSpec.InvalidSpecException e) {
            log.warn("Could not queue the default training run: {}", e.getMessage());
        }
    }

    /**
     * Stores the job and puts it on the queue, in the caller's transaction: a QUEUED row no worker takes
     * (the queue refused it, the process died in between) would count as a job, and no later try would
     * queue one. A refusal is thrown out of the transaction, which takes the row with it.
     */
    private TrainingJob storedAndQueued(TrainingJobSpec.Prepared prepared) {
        TrainingJob job = runner.create(prepared);
        TrainingJobQueue.enqueue(scheduler, trainingTask, job.getId());
        return job;
    }
}
