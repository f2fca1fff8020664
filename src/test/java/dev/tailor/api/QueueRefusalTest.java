package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.jobs.IdxFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import tools.jackson.databind.JsonNode;

/** A job the queue refuses is not kept as a QUEUED row that no worker would ever take. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false",
            "tailor.worker.enabled=false",
            "tailor.test.context=queue-refusal"
        })
class QueueRefusalTest extends ApiTestSupport {

    @MockitoBean(name = "schedulerClient")
    SchedulerClient scheduler;

    @Autowired
    TrainingJobRepository jobs;

    @Test
    void aTrainingJobTheQueueRefusesIs503WithRetryAfterAndNothingStored() throws Exception {
        when(scheduler.scheduleIfNotExists(any(TaskInstance.class), any(Instant.class)))
                .thenThrow(new IllegalStateException("the scheduled_tasks table is read-only"));
        Path dataset =
                IdxFixture.write(Files.createTempDirectory(Path.of("target").toAbsolutePath(), "refused"), 200, 50);
        long before = jobs.count();

        var response = postJson(
                "/api/v1/training-jobs",
                "{\"dataset\":\"" + dataset + "\",\"epochs\":1,\"batchSize\":32,\"validationSize\":40}");

        JsonNode problem = problem(response, 503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(problem.path("detail").asString()).contains("nothing was stored");
        assertThat(jobs.count()).isEqualTo(before);
    }
}
