package dev.tailor.jobs;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.data.Datasets;
import org.junit.jupiter.api.Test;

class CatalogueBootstrapTest {

    private final SupernetRepository supernets = mock(SupernetRepository.class);
    private final TrainingJobRepository jobs = mock(TrainingJobRepository.class);
    private final TrainingJobRunner runner = mock(TrainingJobRunner.class);
    private final SchedulerClient scheduler = mock(SchedulerClient.class);
    private final OneTimeTask<String> task =
            Tasks.oneTime("training-job", String.class).execute((i, c) -> {});

    private boolean defaultDatasetPresent() {
        try {
            Datasets.defaultDatasetDirectory(System.getenv("TAILOR_DATASET_DIR"));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Test
    void anEmptyCatalogueGetsAQuickAndADefaultTrainingJobWhenTheDatasetIsThere() {
        when(supernets.count()).thenReturn(0L);
        when(jobs.count()).thenReturn(0L);
        when(runner.create(any())).thenReturn(new TrainingJob("deps", "fashion-mnist", "{}"));

        new CatalogueBootstrap(supernets, jobs, runner, scheduler, task).bootstrap();

        if (defaultDatasetPresent()) {
            // a quick run first, then the default one
            verify(runner, org.mockito.Mockito.times(2)).create(any());
            verify(scheduler, org.mockito.Mockito.times(2))
                    .scheduleIfNotExists(any(com.github.kagkarlsson.scheduler.task.TaskInstance.class), any());
        } else {
            // no dataset: a warning saying how to get one, and nothing queued
            verify(runner, never()).create(any());
        }
    }

    @Test
    void aCatalogueWithAJobAlreadyIsLeftAlone() {
        when(supernets.count()).thenReturn(0L);
        when(jobs.count()).thenReturn(1L);

        new CatalogueBootstrap(supernets, jobs, runner, scheduler, task).bootstrap();

        verify(runner, never()).create(any());
    }
}
