package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.TailorApplication;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * With the roles split (docker-compose, Helm), the quick supernet's catalogue build finishes in a
 * worker, so the worker must be the one that then queues the default training run. Its profile had no
 * bootstrap, and a docker-compose run stayed on the quick supernet (bench/results/compose-check.md).
 */
class WorkerRoleBootstrapTest {

    @TempDir
    Path home;

    @Test
    void theWorkerRoleHearsTheQuickCatalogueFinishAndQueuesTheDefaultRun() {
        try (ConfigurableApplicationContext worker = new SpringApplicationBuilder(TailorApplication.class)
                .profiles("worker")
                // no job is run here, and no dataset is needed: only which listeners the role has
                .run("--server.port=0", "--tailor.home=" + home, "--tailor.worker.enabled=false")) {
            assertThat(worker.getBeansOfType(CatalogueBootstrap.class)).hasSize(1);
        }
    }
}
