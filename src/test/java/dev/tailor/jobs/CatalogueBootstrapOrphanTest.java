package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.RETURNS_DEEP_STUBS;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.tailor.catalogue.CatalogueEvents;
import dev.tailor.catalogue.Supernet;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A bootstrap run the queue refuses is not left behind as a QUEUED row no worker takes (which would stop
 * a later try of the bootstrap from queueing it): its row is deleted again, as TrainingJobSubmission does.
 */
class CatalogueBootstrapOrphanTest {

    private final SupernetRepository supernets = mock(SupernetRepository.class);
    private final TrainingJobRepository jobs = mock(TrainingJobRepository.class);
    private final TrainingJobRunner runner = mock(TrainingJobRunner.class);
    private final SchedulerClient scheduler = mock(SchedulerClient.class);
    private final OneTimeTask<String> task =
            Tasks.oneTime("training-job", String.class).execute((i, c) -> {});
    /** Runs the callback as it is: the lock and the transaction are the database's business. */
    private final TransactionTemplate transactions = new TransactionTemplate() {
        @Override
        public <T> T execute(TransactionCallback<T> action) {
            return action.doInTransaction(null);
        }
    };

    private final TrainingJob created = new TrainingJob("deps", "fashion-mnist", "{}");

    private CatalogueBootstrap refusingBootstrap() {
        dev.tailor.data.InstalledDataset.require();
        when(runner.create(any())).thenReturn(created);
        when(scheduler.scheduleIfNotExists(any(TaskInstance.class), any()))
                .thenThrow(new IllegalStateException("connection refused"));
        return new CatalogueBootstrap(
                supernets,
                jobs,
                runner,
                scheduler,
                task,
                transactions,
                mock(JdbcClient.class, RETURNS_DEEP_STUBS),
                new BootstrapOutcome(),
                System.getenv("TAILOR_DATASET_DIR"),
                0);
    }

    @Test
    void aQuickRunTheQueueRefusedIsNotLeftQueuedForGood() {
        when(supernets.count()).thenReturn(0L);
        when(jobs.count()).thenReturn(0L);
        CatalogueBootstrap bootstrap = refusingBootstrap();

        assertThatThrownBy(bootstrap::bootstrap).hasMessageContaining("connection refused");

        verify(jobs).deleteById(created.getId());
    }

    @Test
    void aDefaultRunTheQueueRefusedIsNotLeftQueuedForGood() {
        Supernet quick = new Supernet(CatalogueBootstrap.QUICK_NAME, "{}", "fashion-mnist");
        when(supernets.findById(quick.getId())).thenReturn(Optional.of(quick));
        when(jobs.count()).thenReturn(1L);
        CatalogueBootstrap bootstrap = refusingBootstrap();

        assertThatThrownBy(() ->
                        bootstrap.quickCatalogueBuilt(new CatalogueEvents.CatalogueGrew(quick.getId(), 500, true)))
                .hasMessageContaining("connection refused");

        verify(jobs).deleteById(created.getId());
    }
}
