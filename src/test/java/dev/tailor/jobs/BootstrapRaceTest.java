package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.catalogue.TrainingJobRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.transaction.support.TransactionTemplate;

/** Replicas starting together on an empty catalogue queue one bootstrap run between them, not one each. */
@SpringBootTest(
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false",
            "tailor.worker.enabled=false",
            "tailor.test.context=bootstrap-race"
        })
class BootstrapRaceTest {

    @MockitoBean(name = "schedulerClient")
    SchedulerClient scheduler;

    @Autowired
    SupernetRepository supernets;

    @Autowired
    TrainingJobRepository jobs;

    @Autowired
    TrainingJobRunner runner;

    @Autowired
    TransactionTemplate transactions;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    @Qualifier("trainingTask")
    OneTimeTask<String> trainingTask;

    @Test
    void fourReplicasStartingAtOnceQueueOneRun() throws Exception {
        dev.tailor.data.InstalledDataset.require();
        assertThat(jobs.count()).isZero();
        int replicas = 4;
        CyclicBarrier start = new CyclicBarrier(replicas);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            CatalogueBootstrap replica = new CatalogueBootstrap(
                    supernets,
                    jobs,
                    runner,
                    scheduler,
                    trainingTask,
                    transactions,
                    jdbc,
                    new BootstrapOutcome(),
                    System.getenv("TAILOR_DATASET_DIR"),
                    0);
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                replica.bootstrap();
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(jobs.count()).isOne();
    }
}
