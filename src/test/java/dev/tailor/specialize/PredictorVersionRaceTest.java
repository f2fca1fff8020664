package dev.tailor.specialize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.catalogue.Artifact;
import dev.tailor.catalogue.Supernet;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.predictor.PredictorReport;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** Two replicas storing a fitted predictor at once get versions 1 and 2; neither fails. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false"
        })
class PredictorVersionRaceTest {

    @Autowired
    PredictorStore store;

    @Autowired
    SupernetRepository supernets;

    @Autowired
    TransactionTemplate transactions;

    @Autowired
    JdbcClient jdbc;

    @Test
    void twoFitsStoredAtOnceTakeTheNextTwoVersions() throws Exception {
        Supernet supernet = supernets.saveAndFlush(new Supernet("predictor-race", "{}", "generated"));
        PredictorReport report = new PredictorReport(40, 10, 0.9, 0.3, 0.7, 0.4, 0.5, 0.5);
        CountDownLatch firstStored = new CountDownLatch(1);
        CountDownLatch secondStarted = new CountDownLatch(1);
        // the first replica's transaction stays open until the second is under way
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> transactions.executeWithoutResult(status -> {
            store.store(supernet.getId(), Artifact.of(new byte[] {1}, PredictorStore.MEDIA_TYPE), 50, "a", report);
            firstStored.countDown();
            try {
                secondStarted.await(10, TimeUnit.SECONDS);
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(firstStored.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
            secondStarted.countDown();
            store.store(supernet.getId(), Artifact.of(new byte[] {2}, PredictorStore.MEDIA_TYPE), 50, "b", report);
        });
        first.get(30, TimeUnit.SECONDS);
        second.get(30, TimeUnit.SECONDS);

        List<Integer> versions = jdbc.sql(
                        "select version from accuracy_predictor where supernet_id = ? order by version")
                .param(supernet.getId())
                .query(Integer.class)
                .list();
        assertThat(versions).containsExactly(1, 2);
    }
}
