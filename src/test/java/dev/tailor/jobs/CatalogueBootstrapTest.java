package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.RETURNS_DEEP_STUBS;
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
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

class CatalogueBootstrapTest {

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

    private final JdbcClient jdbc = mock(JdbcClient.class, RETURNS_DEEP_STUBS);

    private final BootstrapOutcome outcome = new BootstrapOutcome();

    private CatalogueBootstrap bootstrap() {
        return bootstrap(System.getenv("TAILOR_DATASET_DIR"));
    }

    private CatalogueBootstrap bootstrap(String datasetDirectory) {
        // retries off: a test calls retry() itself
        return new CatalogueBootstrap(
                supernets, jobs, runner, scheduler, task, transactions, jdbc, outcome, datasetDirectory, 0);
    }

    @Test
    void anEmptyCatalogueGetsAQuickTrainingJobWhenTheDatasetIsThere() {
        when(supernets.count()).thenReturn(0L);
        when(jobs.count()).thenReturn(0L);
        when(runner.create(any())).thenReturn(new TrainingJob("deps", "fashion-mnist", "{}"));

        dev.tailor.data.InstalledDataset.require();

        bootstrap().bootstrap();

        // the quick run; the default one follows its catalogue build
        verify(runner).create(any());
        verify(scheduler).scheduleIfNotExists(any(com.github.kagkarlsson.scheduler.task.TaskInstance.class), any());
    }

    @Test
    void withoutTheDatasetNothingIsQueuedAndTheReasonIsKeptForTheServicesAnswers(@TempDir Path empty) {
        when(supernets.count()).thenReturn(0L);
        when(jobs.count()).thenReturn(0L);

        bootstrap(empty.resolve("no-dataset-here").toString()).bootstrap();

        verify(runner, never()).create(any());
        assertThat(outcome.refusal())
                .hasValueSatisfying(reason -> assertThat(reason).contains("no-dataset-here"));
    }

    @Test
    void aRefusedBootstrapIsTriedAgainAndFindsADatasetInstalledSince(@TempDir Path root) throws Exception {
        when(supernets.count()).thenReturn(0L);
        when(jobs.count()).thenReturn(0L);
        when(runner.create(any())).thenReturn(new TrainingJob("sandwich", "fashion-mnist", "{}"));
        Path dataset = root.resolve("fashion-mnist");
        CatalogueBootstrap bootstrap = bootstrap(dataset.toString());

        bootstrap.bootstrap();
        bootstrap.retry();
        verify(runner, never()).create(any());
        assertThat(outcome.refusal()).isPresent();

        // the dataset arrives (installed, or its volume mounted late): the next pass queues the run
        Path installed = dev.tailor.data.InstalledDataset.require();
        java.nio.file.Files.createSymbolicLink(dataset, installed);
        bootstrap.retry();

        verify(runner).create(any());
        assertThat(outcome.refusal()).isEmpty();
    }

    @Test
    void aRefusalIsDroppedOnceAnyoneHasQueuedARun() {
        when(supernets.count()).thenReturn(0L);
        when(jobs.count()).thenReturn(1L);
        outcome.refused("no dataset");

        bootstrap().retry();

        assertThat(outcome.refusal()).isEmpty();
        verify(runner, never()).create(any());
    }

    @Test
    void aQueuedRunLeavesNoRefusal() {
        when(supernets.count()).thenReturn(0L);
        when(jobs.count()).thenReturn(0L);
        when(runner.create(any())).thenReturn(new TrainingJob("deps", "fashion-mnist", "{}"));
        dev.tailor.data.InstalledDataset.require();
        outcome.refused("an earlier try");

        bootstrap().bootstrap();

        assertThat(outcome.refusal()).isEmpty();
    }

    @Test
    void aCatalogueWithAJobAlreadyIsLeftAlone() {
        when(supernets.count()).thenReturn(0L);
        when(jobs.count()).thenReturn(1L);

        bootstrap().bootstrap();

        verify(runner, never()).create(any());
    }

    @Test
    void theDefaultRunIsQueuedWhenTheQuickSupernetsCatalogueIsBuilt() {
        dev.tailor.data.InstalledDataset.require();
        dev.tailor.catalogue.Supernet quick =
                new dev.tailor.catalogue.Supernet(CatalogueBootstrap.QUICK_NAME, "{}", "fashion-mnist");
        dev.tailor.catalogue.Supernet other = new dev.tailor.catalogue.Supernet("mine", "{}", "fashion-mnist");
        when(supernets.findById(quick.getId())).thenReturn(java.util.Optional.of(quick));
        when(supernets.findById(other.getId())).thenReturn(java.util.Optional.of(other));
        when(jobs.count()).thenReturn(1L);
        when(runner.create(any())).thenReturn(new TrainingJob("deps", "fashion-mnist", "{}"));
        CatalogueBootstrap bootstrap = bootstrap();

        bootstrap.quickCatalogueBuilt(
                new dev.tailor.catalogue.CatalogueEvents.CatalogueGrew(quick.getId(), 100, false, false));
        bootstrap.quickCatalogueBuilt(
                new dev.tailor.catalogue.CatalogueEvents.CatalogueGrew(other.getId(), 500, true, false));
        // an operator cancelled the quick build: the automatic work stops there
        bootstrap.quickCatalogueBuilt(
                new dev.tailor.catalogue.CatalogueEvents.CatalogueGrew(quick.getId(), 120, true, true));
        verify(runner, never()).create(any());

        bootstrap.quickCatalogueBuilt(
                new dev.tailor.catalogue.CatalogueEvents.CatalogueGrew(quick.getId(), 500, true, false));
        verify(runner).create(any());
        verify(scheduler).scheduleIfNotExists(any(com.github.kagkarlsson.scheduler.task.TaskInstance.class), any());
    }
}
