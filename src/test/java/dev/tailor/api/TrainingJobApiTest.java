package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.jobs.IdxFixture;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/** Training jobs through the API, run by the service's own worker on a small generated dataset. */
class TrainingJobApiTest extends ApiTestSupport {

    @TempDir
    static Path datasets;

    static Path dataset;

    @Autowired
    TrainingJobRepository jobs;

    @BeforeAll
    static void writeDataset() throws IOException {
        dataset = IdxFixture.write(datasets.resolve("generated"), 480, 100);
    }

    /** A small job; {@code override} is JSON fields (with a leading comma) that replace or add to the defaults. */
    private String tinyJob(String override) {
        java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("name", "api-tiny");
        fields.put("dataset", dataset.toString());
        fields.put("epochs", 2);
        fields.put("batchSize", 32);
        fields.put("maxStepsPerEpoch", 3);
        fields.put("validationSize", 80);
        fields.put("calibrationImages", 64);
        fields.put("learningRate", 0.05);
        JsonNode extra = json.readTree("{" + (override.isEmpty() ? "" : override.substring(1)) + "}");
        for (String name : extra.propertyNames()) {
            fields.put(name, extra.get(name));
        }
        return json.writeValueAsString(fields);
    }

    static Stream<Arguments> badJobs() {
        return Stream.of(
                Arguments.of(",\"schedule\":\"warp-speed\"", "schedule"),
                Arguments.of(",\"datasetFormat\":\"tfrecord\"", "datasetFormat"),
                Arguments.of(",\"epochs\":0", "epochs"),
                Arguments.of(",\"batchSize\":-4", "batchSize"),
                Arguments.of(",\"learningRate\":1e9", "learningRate"),
                Arguments.of(",\"validationSize\":100000", "validationSize"),
                Arguments.of(",\"warmupFraction\":0", "warmupFraction"),
                Arguments.of(",\"targetAccuracy\":95", "targetAccuracy"),
                Arguments.of(",\"patience\":-3", "patience"),
                Arguments.of(",\"epochs\":\"six\"", "epochs"),
                Arguments.of(",\"turbo\":true", "turbo"),
                // the catalogue keeps 128 characters: a longer name was accepted and its job stayed queued
                Arguments.of(",\"name\":\"" + "n".repeat(129) + "\"", "name"),
                Arguments.of(",\"name\":\"   \"", "name"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badJobs")
    void aBadJobIsRefusedWithTheFieldNamedAndNothingStored(String extra, String field) {
        long before = jobs.count();
        JsonNode problem = problem(postJson("/api/v1/training-jobs", tinyJob(extra)), 400);
        assertThat(problem.path("errors").valueStream().map(e -> e.path("field").asString()))
                .contains(field);
        assertThat(jobs.count()).isEqualTo(before);
    }

    @Test
    void aMissingDatasetDirectoryIsNamed() {
        String body = tinyJob("").replace(dataset.toString(), "/no/such/dataset");
        JsonNode problem = problem(postJson("/api/v1/training-jobs", body), 400);
        assertThat(problem.path("errors").get(0).path("field").asString()).isEqualTo("dataset");
        assertThat(problem.path("errors").get(0).path("message").asString()).contains("/no/such/dataset");
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aJobIsAcceptedTrainedByTheWorkerAndStreamsItsProgress(CapturedOutput output) throws Exception {
        HttpResponse<String> accepted = postJson("/api/v1/training-jobs", tinyJob(",\"schedule\":\"sandwich\""));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(SpecSchemas.responseViolations("createTrainingJob", accepted))
                .isEmpty();
        String id = body(accepted).path("id").asString();
        assertThat(accepted.headers().firstValue("Location")).contains("/api/v1/training-jobs/" + id);
        assertThat(body(accepted).path("settings").path("schedule").asString()).isEqualTo("sandwich");

        HttpResponse<String> events = send(HttpRequest.newBuilder(uri("/api/v1/training-jobs/" + id + "/events"))
                .timeout(Duration.ofMinutes(3))
                .build());
        assertThat(events.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        assertThat(events.body()).contains("event:progress").contains("\"state\":\"succeeded\"");
        assertThat(SpecSchemas.responseViolations("trainingJobEvents", events)).isEmpty();
        assertThat(SpecSchemas.eventDataViolations("TrainingJobResponse", events.body()))
                .isEmpty();

        HttpResponse<String> got = get("/api/v1/training-jobs/" + id);
        JsonNode job = body(got);
        assertThat(job.path("state").asString()).isEqualTo("succeeded");
        assertThat(SpecSchemas.responseViolations("getTrainingJob", got)).isEmpty();
        HttpResponse<String> listed = get("/api/v1/training-jobs?size=200");
        assertThat(listed.body()).contains(id);
        assertThat(SpecSchemas.responseViolations("listTrainingJobs", listed)).isEmpty();
        // a missing field must fail here, not read as 0
        JsonNode epochsCompleted = job.path("progress").path("epochsCompleted");
        assertThat(epochsCompleted.isIntegralNumber())
                .as("progress.epochsCompleted in " + job)
                .isTrue();
        assertThat(epochsCompleted.asInt()).isEqualTo(2);
        assertThat(job.path("progress").path("device").isString())
                .as("progress.device in " + job)
                .isTrue();
        assertThat(job.path("progress").path("device").asString()).isEqualTo("cpu");
        JsonNode largestTop1 = job.path("progress").path("largest").path("testTop1");
        assertThat(largestTop1.isNumber())
                .as("progress.largest.testTop1 in " + job)
                .isTrue();
        assertThat(largestTop1.asDouble()).isBetween(0.0, 1.0);
        String supernet = job.path("supernetId").asString();
        HttpResponse<String> ready = get("/api/v1/supernets/" + supernet);
        JsonNode registered = body(ready);
        assertThat(registered.path("state").asString()).isEqualTo("ready");
        assertThat(SpecSchemas.responseViolations("getSupernet", ready)).isEmpty();
        // the largest and the smallest with test accuracy; the catalogue build training queued adds more
        HttpResponse<String> catalogue = get("/api/v1/supernets/" + supernet + "/subnets?size=200");
        assertThat(SpecSchemas.responseViolations("listSubnets", catalogue)).isEmpty();
        JsonNode subnets = body(catalogue);
        int withTest = 0;
        for (JsonNode item : subnets.path("items")) {
            withTest += item.path("accuracy").path("test").isNumber() ? 1 : 0;
        }
        assertThat(withTest).isEqualTo(2);
        HttpResponse<byte[]> checkpoint = java.net.http.HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(uri("/api/v1/artifacts/"
                                        + job.path("lastCheckpoint").asString()))
                                .header("Authorization", "Bearer " + dev.tailor.security.TestKeys.OPERATOR)
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(checkpoint.statusCode()).isEqualTo(200);
        assertThat(checkpoint.body().length).isGreaterThan(1_000_000);
        // the worker's lines about this job carry its id, and only this job's lines do
        assertThat(output.getOut().lines().filter(line -> line.contains("[training " + id + "]")))
                .anySatisfy(line -> assertThat(line).contains("Training sandwich on"))
                .anySatisfy(line -> assertThat(line).contains("Training done: supernet"));
        assertThat(output.getOut().lines().filter(line -> line.contains("Training done: supernet " + supernet)))
                .allSatisfy(line -> assertThat(line).contains("[training " + id + "]"));
    }

    @Autowired
    dev.tailor.jobs.TrainingJobRunner runner;

    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    @Test
    void aRunningJobIsCancelledStopsWithinSecondsAndStaysCancelled() throws Exception {
        // 200 short epochs: still running when cancelled
        HttpResponse<String> accepted =
                postJson("/api/v1/training-jobs", tinyJob(",\"name\":\"to-cancel\",\"epochs\":200"));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = body(accepted).path("id").asString();
        java.util.UUID jobId = java.util.UUID.fromString(id);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        JsonNode job = body(get("/api/v1/training-jobs/" + id));
        while (!(job.path("state").asString().equals("running")
                && job.path("lastCheckpoint").isString())) {
            assertThat(System.nanoTime() - deadline)
                    .as("running with a checkpoint: " + job)
                    .isNegative();
            Thread.sleep(200);
            job = body(get("/api/v1/training-jobs/" + id));
        }
        String supernet = job.path("supernetId").asString();

        HttpResponse<String> cancelled = postJson("/api/v1/training-jobs/" + id + "/cancel", "");
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(SpecSchemas.responseViolations("cancelTrainingJob", cancelled))
                .isEmpty();
        assertThat(body(cancelled).path("state").asString()).isEqualTo("cancelled");
        assertThat(body(cancelled).path("error").asString()).contains("cancelled");

        // the run stops at a step boundary: its lock is let go and its queue entry is gone
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (runner.isRunningElsewhere(jobId) || queueEntries(id) > 0) {
            assertThat(System.nanoTime() - deadline).as("the run stopped").isNegative();
            Thread.sleep(200);
        }
        JsonNode after = body(get("/api/v1/training-jobs/" + id));
        assertThat(after.path("state").asString()).isEqualTo("cancelled");
        assertThat(after.path("lastCheckpoint").isString()).isTrue();
        assertThat(body(get("/api/v1/supernets/" + supernet)).path("state").asString())
                .isEqualTo("failed");

        // finished: a second cancel is a conflict and changes nothing
        JsonNode again = problem(postJson("/api/v1/training-jobs/" + id + "/cancel", ""), 409);
        assertThat(again.path("detail").asString()).contains("cancelled already");
        assertThat(body(get("/api/v1/training-jobs/" + id)).path("state").asString())
                .isEqualTo("cancelled");
    }

    @Test
    void aCancelledJobStaysCancelledWhateverItsRunWritesAfter() {
        HttpResponse<String> accepted =
                postJson("/api/v1/training-jobs", tinyJob(",\"name\":\"cancel-race\",\"epochs\":200"));
        String id = body(accepted).path("id").asString();
        assertThat(postJson("/api/v1/training-jobs/" + id + "/cancel", "").statusCode())
                .isEqualTo(200);
        // a run that read the row before the cancellation committed writes the state it read
        jdbc.sql("update training_job set state = 'RUNNING', error = null where id = ?")
                .param(java.util.UUID.fromString(id))
                .update();
        JsonNode job = body(get("/api/v1/training-jobs/" + id));
        assertThat(job.path("state").asString()).isEqualTo("cancelled");
        assertThat(job.path("error").asString()).contains("cancelled");
    }

    @Test
    void aDatasetUnderALongPathIsAcceptedAndStored() throws Exception {
        // a 300-character directory path: it was refused on insert with a 409 no retry could clear
        Path deep = datasets;
        while (deep.toString().length() < 300) {
            deep = deep.resolve("d".repeat(60));
        }
        java.nio.file.Files.createDirectories(deep.getParent());
        java.nio.file.Files.createSymbolicLink(deep, dataset);
        HttpResponse<String> accepted = postJson(
                "/api/v1/training-jobs",
                tinyJob(",\"name\":\"long-path\",\"epochs\":200").replace(dataset.toString(), deep.toString()));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = body(accepted).path("id").asString();
        assertThat(body(get("/api/v1/training-jobs/" + id)).path("dataset").asString())
                .contains(deep.toString());
        assertThat(postJson("/api/v1/training-jobs/" + id + "/cancel", "").statusCode())
                .isEqualTo(200);
    }

    /**
     * A job stored by older code lacks the settings added since (weightDecay before fab5b12, randomErase
     * before 4b9cb0f); its settings showed them missing, though it trains with the values of then.
     */
    @Test
    void aJobStoredByOlderCodeShowsTheSettingsItTrainsWith() {
        HttpResponse<String> accepted =
                postJson("/api/v1/training-jobs", tinyJob(",\"name\":\"older-settings\",\"epochs\":200"));
        String id = body(accepted).path("id").asString();
        assertThat(postJson("/api/v1/training-jobs/" + id + "/cancel", "").statusCode())
                .isEqualTo(200);
        JsonNode now = body(get("/api/v1/training-jobs/" + id)).path("settings");
        assertThat(now.path("weightDecay").isNumber()).as(now.toString()).isTrue();
        assertThat(now.path("weightDecay").doubleValue()).isEqualTo(5e-4);
        jdbc.sql("update training_job set hyper_parameters = hyper_parameters - 'weightDecay' - 'randomErase'"
                        + " where id = ?")
                .param(java.util.UUID.fromString(id))
                .update();

        JsonNode older = body(get("/api/v1/training-jobs/" + id)).path("settings");

        assertThat(older.path("weightDecay").isNumber()).as(older.toString()).isTrue();
        assertThat(older.path("weightDecay").doubleValue()).isEqualTo(3e-5);
        assertThat(older.path("randomErase").isNumber()).as(older.toString()).isTrue();
        assertThat(older.path("randomErase").doubleValue()).isZero();
        assertThat(older.path("name").asString()).isEqualTo("older-settings");
    }

    private long queueEntries(String id) {
        return jdbc.sql("select count(*) from scheduled_tasks where task_instance = ?")
                .param(id)
                .query(Long.class)
                .single();
    }

    @Test
    void anUnknownJobIsNotFound() {
        problem(postJson("/api/v1/training-jobs/00000000-0000-0000-0000-000000000000/cancel", ""), 404);
        problem(get("/api/v1/training-jobs/00000000-0000-0000-0000-000000000000"), 404);
        problem(get("/api/v1/training-jobs/00000000-0000-0000-0000-000000000000/events"), 404);
    }
}
