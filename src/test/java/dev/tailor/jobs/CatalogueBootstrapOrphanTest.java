package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.RETURNS_DEEP_STUBS;
import static org.mockito.Mockito.mock;
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
 * a later try of the bootstrap from queueing it): the row is stored in the transaction that queues it, and
 * the refusal is thrown out of that transaction, which takes the row with it (LostCatalogueBuildTest shows
 * the queue's client writing in the caller's transaction, against the database).
 */
class CatalogueBootstrapOrphanTest {

    private final SupernetRepository supernets = mock(SupernetRepository.class);
    private final TrainingJobRepository jobs = mock(TrainingJobRepository.class);
    private final TrainingJobRunner runner = mock(TrainingJobRunner.class);
    private final SchedulerClient scheduler = mock(SchedulerClient.class);
    private final OneTimeTask<String> task =
            Tasks.oneTime("training-job", String.class).execute((i, c) -> {});
    /** Transactions open now, and whether one ended by a throw (rolled back). */
    private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();

    private final java.util.concurrent.atomic.AtomicBoolean rolledBack =
            new java.util.concurrent.atomic.AtomicBoolean();

    /** Runs the callback and tells whether it ended by a throw; the rollback itself is the database's business. */
    private final TransactionTemplate transactions = new TransactionTemplate() {
        @Override
        public <T> T execute(TransactionCallback<T> action) {
            open.incrementAndGet();
            try {
                return action.doInTransaction(null);
            } catch (RuntimeException e) {
                rolledBack.set(true);
                throw e;
            } finally {
                open.decrementAndGet();
            }
        }
    };

    private final TrainingJob created = new TrainingJob("deps", "fashion-mnist", "{}");

    private final java.util.concurrent.atomic.AtomicBoolean storedInATransaction =
            new java.util.concurrent.atomic.AtomicBoolean();

    private CatalogueBootstrap refusingBootstrap() {
        dev.tailor.data.InstalledDataset.require();
        when(runner.create(any())).thenAnswer(call -> {
            storedInATransaction.set(open.get() > 0);
            return created;
        });
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

        assertThat(storedInATransaction).isTrue();
        assertThat(rolledBack)
                .as("the refusal ended the transaction that stored the row")
                .isTrue();
    }

    @Test
    void aDefaultRunTheQueueRefusedIsNotLeftQueuedForGood() {
        Supernet quick = new Supernet(CatalogueBootstrap.QUICK_NAME, "{}", "fashion-mnist");
        when(supernets.findById(quick.getId())).thenReturn(Optional.of(quick));
        when(jobs.count()).thenReturn(1L);
        CatalogueBootstrap bootstrap = refusingBootstrap();

        assertThatThrownBy(() -> bootstrap.quickCatalogueBuilt(
                        new CatalogueEvents.CatalogueGrew(quick.getId(), 500, true, false)))
                .hasMessageContaining("connection refused");

        assertThat(storedInATransaction).isTrue();
        assertThat(rolledBack)
                .as("the refusal ended the transaction that stored the row")
                .isTrue();
    }
}
