package dev.tailor.jobs;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

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

    CatalogueBootstrap(
            SupernetRepository supernets,
            TrainingJobRepository jobs,
            TrainingJobRunner runner,
            SchedulerClient scheduler,
            OneTimeTask<String> trainingTask) {
        this.supernets = supernets;
        this.jobs = jobs;
        this.runner = runner;
        this.scheduler = scheduler;
        this.trainingTask = trainingTask;
    }

    @EventListener(ApplicationReadyEvent.class)
    void bootstrap() {
        if (supernets.count() > 0 || jobs.count() > 0) {
            return;
        }
        TrainingJobSpec spec = TrainingJobSpec.allDefaults("bootstrap");
        try {
            TrainingJob job = runner.create(spec.prepare(System.getenv("TAILOR_DATASET_DIR")));
            TrainingJobQueue.enqueue(scheduler, trainingTask, job.getId());
            log.info(
                    "The catalogue is empty: queued training job {} (deps, {} epochs, default dataset);"
                            + " follow it at /api/v1/training-jobs/{}/events",
                    job.getId(),
                    TrainingJobSpec.DEFAULT_EPOCHS,
                    job.getId());
        } catch (TrainingJobSpec.InvalidSpecException e) {
            log.warn("The catalogue is empty and no supernet can be trained yet: {}", e.getMessage());
        }
    }
}
