package dev.tailor.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.cost.SubnetCosts;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Two registrations of one new config at once (a catalogue build's and an export's) both succeed,
 * with one subnet row and one evaluation per split between them.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false"
        })
class SubnetRegistryRaceTest {

    @Autowired
    SubnetRegistry registry;

    @Autowired
    SupernetRepository supernets;

    @Autowired
    TransactionTemplate transactions;

    @Autowired
    JdbcClient jdbc;

    @Test
    void aConfigRegisteredTwiceAtOnceIsStoredOnceAndNeitherCallerFails() throws Exception {
        SearchSpace space = SearchSpace.named(SearchSpace.FASHION_MNIST);
        Supernet supernet = supernets.saveAndFlush(new Supernet("registry-race", space.toJson(), "generated"));
        SubnetConfig config = space.largest();
        SubnetCosts costs = new SubnetCosts(1_000_000, 10_000, 50_000);
        CountDownLatch firstRegistered = new CountDownLatch(1);
        CountDownLatch secondStarted = new CountDownLatch(1);

        // the first keeps its transaction open until the second is under way
        CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> transactions.execute(status -> {
            Subnet subnet = registry.register(
                    supernet.getId(), config, costs, new SubnetRegistry.Measured(Split.VALIDATION, 0.9, 5000));
            firstRegistered.countDown();
            try {
                secondStarted.await(10, TimeUnit.SECONDS);
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return subnet.getId();
        }));
        assertThat(firstRegistered.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Long> second = CompletableFuture.supplyAsync(() -> transactions.execute(status -> {
            secondStarted.countDown();
            return registry.register(
                            supernet.getId(),
                            config,
                            costs,
                            new SubnetRegistry.Measured(Split.VALIDATION, 0.9, 5000),
                            new SubnetRegistry.Measured(Split.TEST, 0.89, 10000))
                    .getId();
        }));

        assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo(first.get(30, TimeUnit.SECONDS));
        long rows = jdbc.sql("select count(*) from subnet where supernet_id = ?")
                .param(supernet.getId())
                .query(Long.class)
                .single();
        assertThat(rows).isEqualTo(1);
        long evaluations = jdbc.sql("select count(*) from evaluation e join subnet s on s.id = e.subnet_id"
                        + " where s.supernet_id = ?")
                .param(supernet.getId())
                .query(Long.class)
                .single();
        assertThat(evaluations).isEqualTo(2);
    }
}
