package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.jobs.IdxFixture;
import dev.tailor.jobs.TrainingJobRunner;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * A cancellation that commits after the worker read the job (queued, no supernet yet) but before the
 * run stored the supernet it created on the job row: the cancellation finds no supernet to fail, so
 * the run, stopping, must fail it itself (before, it stayed TRAINING for good and specializations
 * naming it answered 503 "not trained yet"). The window is hit every time by a trigger on the
 * supernet's insert that runs the cancellation's own statements.
 */
class TrainingJobCancelWindowTest extends ApiTestSupport {

    @TempDir
    static Path datasets;

    static Path dataset;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TrainingJobRunner runner;

    @BeforeAll
    static void writeDataset() throws IOException {
        dataset = IdxFixture.write(datasets.resolve("generated"), 480, 100);
    }

    @AfterEach
    void dropTrigger() {
        jdbc.sql("drop trigger if exists test_cancel_window on supernet").update();
        jdbc.sql("drop function if exists test_cancel_window()").update();
    }

    @Test
    void aCancelLandingBeforeTheRunStoresItsSupernetStillFailsTheSupernet() throws Exception {
        jdbc.sql("""
                create function test_cancel_window() returns trigger language plpgsql as $$
                declare j uuid;
                begin
                    for j in select id from training_job where hyper_parameters->>'name' = 'cancel-window'
                             and state in ('QUEUED', 'RUNNING') loop
                        -- exactly TrainingJobCancellation.cancel's two statements
                        update training_job set state = 'CANCELLED', error = 'cancelled by an operator',
                               updated_at = now() where id = j and state in ('QUEUED', 'RUNNING');
                        update supernet set state = 'FAILED', updated_at = now() where state = 'TRAINING'
                               and id = (select supernet_id from training_job where id = j);
                    end loop;
                    return new;
                end
                $$""").update();
        jdbc.sql("create trigger test_cancel_window after insert on supernet"
                        + " for each row execute function test_cancel_window()")
                .update();

        java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("name", "cancel-window");
        fields.put("dataset", dataset.toString());
        fields.put("epochs", 200);
        fields.put("batchSize", 32);
        fields.put("maxStepsPerEpoch", 3);
        fields.put("validationSize", 80);
        fields.put("calibrationImages", 64);
        fields.put("learningRate", 0.05);
        HttpResponse<String> accepted = postJson("/api/v1/training-jobs", json.writeValueAsString(fields));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        UUID id = UUID.fromString(body(accepted).path("id").asString());

        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        JsonNode job = body(get("/api/v1/training-jobs/" + id));
        // the run took the job, created its supernet (the cancel landed), and stopped at its first step
        while (job.path("supernetId").isMissingNode()
                || job.path("supernetId").isNull()
                || runner.isRunningElsewhere(id)
                || queueEntries(id) > 0) {
            assertThat(System.nanoTime() - deadline)
                    .as("the run stopped: " + job)
                    .isNegative();
            Thread.sleep(200);
            job = body(get("/api/v1/training-jobs/" + id));
        }
        assertThat(job.path("state").asString()).isEqualTo("cancelled");
        String supernet = job.path("supernetId").asString();
        // the API promises: "the supernet it was training is marked failed"
        assertThat(body(get("/api/v1/supernets/" + supernet)).path("state").asString())
                .as("supernet of a cancelled job")
                .isEqualTo("failed");
    }

    private long queueEntries(UUID id) {
        return jdbc.sql("select count(*) from scheduled_tasks where task_instance = ?")
                .param(id.toString())
                .query(Long.class)
                .single();
    }
}
