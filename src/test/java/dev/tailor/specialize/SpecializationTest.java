package dev.tailor.specialize;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.tailor.api.SpecSchemas;
import dev.tailor.jobs.CatalogueBuildQueue;
import dev.tailor.jobs.CatalogueBuilds;
import dev.tailor.jobs.TinySupernet;
import dev.tailor.jobs.TrainingJobRunner;
import dev.tailor.latency.DeviceLatencies;
import dev.tailor.latency.DeviceLatencyModel;
import dev.tailor.latency.HeldOutPairs;
import dev.tailor.latency.HostDevices;
import dev.tailor.latency.HostSpeedCheck;
import dev.tailor.latency.MadeUpHostModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** POST /specializations end to end on a tiny trained supernet with a small catalogue. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false",
            // a context of its own: its trained supernet and catalogue stay out of the API tests' catalogue
            "tailor.test.context=trained",
            "tailor.catalogue.build-after-training=true"
        })
class SpecializationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static UUID catalogued;

    @Autowired
    TrainingJobRunner trainingRunner;

    @Autowired
    CatalogueBuilds builds;

    @Autowired
    CatalogueBuildQueue queue;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    PredictorStore predictors;

    @Autowired
    org.springframework.context.ApplicationContext context;

    @Autowired
    HostDevices hosts;

    @Autowired
    HostSpeedCheck speedCheck;

    @LocalServerPort
    int port;

    UUID supernet;

    @BeforeEach
    void catalogue() throws Exception {
        supernet = TinySupernet.trained(trainingRunner, builds);
        if (!supernet.equals(catalogued)) {
            TinySupernet.awaitBuilds(builds, supernet);
            TinySupernet.awaitBuild(builds, queue.enqueue(supernet, 24, 3L).id());
            catalogued = supernet;
        }
    }

    @Test
    void aBudgetGetsACheckedModelAndTheSameRequestIsAnsweredFromTheCatalogue() throws Exception {
        String body = "{\"device\":\"host-cpu\",\"macs\":3000000,\"supernet\":\"" + supernet + "\"}";
        HttpResponse<String> first = post(body, "application/json");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        JsonNode made = JSON.readTree(first.body());
        assertThat(made.path("macs").asLong()).isPositive().isLessThanOrEqualTo(3_000_000);
        assertThat(made.path("accuracy").has("predicted")).isTrue();
        assertThat(made.path("accuracy").path("validation").asDouble(-1)).isBetween(0.0, 1.0);
        assertThat(made.path("accuracy").path("test").asDouble(-1)).isBetween(0.0, 1.0);
        assertThat(made.path("latency").path("source").asString()).isEqualTo("measured");
        assertThat(made.path("latency").path("ms").asDouble(-1)).isPositive();
        assertThat(made.path("bindingConstraint").asString()).isEqualTo("macs");
        assertThat(made.path("search").path("generations").asInt()).isEqualTo(500);
        String sha = made.path("artifact").path("sha256").asString();
        assertThat(sha).hasSize(64);
        assertThat(first.headers().firstValue("Location"))
                .hasValue("/api/v1/specializations/" + made.path("id").asString());
        // the body is what the checked-in spec says (budget and config objects, not strings)
        assertThat(SpecSchemas.responseViolations("createSpecialization", first))
                .isEmpty();

        HttpResponse<String> again = post(body, "application/json");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(SpecSchemas.responseViolations("createSpecialization", again))
                .isEmpty();
        assertThat(again.headers().firstValue("X-Tailor-From-Catalogue")).hasValue("true");
        assertThat(JSON.readTree(again.body()).path("id").asString())
                .isEqualTo(made.path("id").asString());

        HttpResponse<byte[]> onnx = HttpClient.newHttpClient()
                .send(request(body, "application/octet-stream"), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(onnx.statusCode()).isEqualTo(200);
        assertThat(SpecSchemas.responseViolations(
                        "createSpecialization",
                        onnx.statusCode(),
                        onnx.headers().firstValue("Content-Type").orElse(null),
                        null))
                .isEmpty();
        assertThat(onnx.headers().firstValue("ETag")).hasValue("\"" + sha + "\"");
        assertThat(onnx.headers().firstValue("Content-Disposition"))
                .hasValueSatisfying(d -> assertThat(d).contains(".onnx"));
        assertThat(onnx.headers().firstValue("X-Tailor-Config-Sha256"))
                .hasValue(made.path("configSha256").asString());
        // a stock ONNX Runtime session takes images at the dataset's own size, whatever the subnet's resolution
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx.body(), new OrtSession.SessionOptions());
                OnnxTensor input = OnnxTensor.createTensor(
                        env, FloatBuffer.wrap(new float[2 * 28 * 28]), new long[] {2, 1, 28, 28});
                OrtSession.Result result = session.run(Map.of("image", input))) {
            assertThat(((float[][]) result.get(0).getValue())).hasDimensions(2, 10);
        }
        HttpResponse<String> got =
                get("/api/v1/specializations/" + made.path("id").asString());
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(SpecSchemas.responseViolations("getSpecialization", got)).isEmpty();
        HttpResponse<String> listed = get("/api/v1/specializations?device=host-cpu&supernet=" + supernet);
        assertThat(listed.body()).contains(made.path("id").asString());
        assertThat(SpecSchemas.responseViolations("listSpecializations", listed))
                .isEmpty();
        long rows = jdbc.sql("select count(*) from specialization where supernet_id = ?")
                .param(supernet)
                .query(Long.class)
                .single();
        assertThat(rows).isGreaterThanOrEqualTo(1);
    }

    @Test
    void identicalNewBudgetsAtOnceAreSearchedAndExportedOnceAndEveryOneIsAnswered() throws Exception {
        String body = "{\"device\":\"host-cpu\",\"macs\":2600000,\"supernet\":\"" + supernet + "\"}";
        long before = specializations();
        org.mockito.Mockito.clearInvocations(searchSlots);
        HttpClient client = HttpClient.newHttpClient();
        // more than the search slots (one per core): each used to search, and past the slots' wait got 503
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sent.add(client.sendAsync(request(body, "application/json"), HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> one : sent) {
            answers.add(one.get());
        }
        assertThat(answers)
                .extracting(HttpResponse::statusCode)
                .containsExactlyInAnyOrder(201, 200, 200, 200, 200, 200);
        org.mockito.Mockito.verify(searchSlots, org.mockito.Mockito.times(1)).take();
        for (HttpResponse<String> answer : answers) {
            assertThat(JSON.readTree(answer.body()).path("id").asString())
                    .isNotEmpty()
                    .isEqualTo(JSON.readTree(answers.get(0).body()).path("id").asString());
            if (answer.statusCode() == 200) {
                assertThat(answer.headers().firstValue("X-Tailor-From-Catalogue"))
                        .hasValue("true");
            }
        }
        assertThat(specializations()).isEqualTo(before + 1);
        // nothing of the waits is kept once they are answered
        assertThat(context.getBean(SpecializationExports.class).waiting()).isZero();
    }

    @Test
    void aNewBudgetPastTheExportQueueBoundIsA503AndNothingIsStored() throws Exception {
        // twenty exports of other budgets waiting: rows the worker will not take for a day
        for (int i = 0; i < 20; i++) {
            jdbc.sql("insert into specialization_export_task (task_name, task_instance, execution_time, picked,"
                            + " version) values (?, ?, now() + interval '1 day', false, 1)")
                    .params(SpecializationExports.TASK, "queued-by-test-" + i)
                    .update();
        }
        // every search slot held: the refusal must come before the search (a search would wait for a slot)
        List<SearchSlots.Slot> held = new ArrayList<>();
        for (int i = 0; i < searchSlots.size(); i++) {
            held.add(searchSlots.take());
        }
        try {
            long before = specializations();
            long started = System.nanoTime();
            HttpResponse<String> refused = post(
                    "{\"device\":\"host-cpu\",\"macs\":2468013,\"supernet\":\"" + supernet + "\"}", "application/json");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
            JsonNode problem = JSON.readTree(refused.body());
            assertThat(problem.path("detail").asString()).contains("tailor.specialization.max-queued-exports");
            assertThat(problem.path("queuedExports").asLong()).isEqualTo(20);
            assertThat(specializations()).isEqualTo(before);
        } finally {
            held.forEach(SearchSlots.Slot::close);
            jdbc.sql("delete from specialization_export_task where task_instance like 'queued-by-test-%'")
                    .update();
        }
    }

    @MockitoSpyBean
    SearchSlots searchSlots;

    @Test
    void aNewBudgetWhileEverySearchSlotIsBusyIsA503AndNothingIsStoredThenItIsSearched() throws Exception {
        String body = "{\"device\":\"host-cpu\",\"macs\":2591177,\"supernet\":\"" + supernet + "\"}";
        List<SearchSlots.Slot> held = new ArrayList<>();
        for (int i = 0; i < searchSlots.size(); i++) {
            held.add(searchSlots.take());
        }
        long before = specializations();
        HttpResponse<String> refused;
        try {
            refused = post(body, "application/json");
        } finally {
            held.forEach(SearchSlots.Slot::close);
        }
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("2");
        JsonNode problem = JSON.readTree(refused.body());
        assertThat(problem.path("detail").asString()).contains("tailor.specialization.max-concurrent-searches");
        assertThat(problem.path("runningSearches").asInt()).isEqualTo(searchSlots.size());
        assertThat(specializations()).isEqualTo(before);

        HttpResponse<String> answered = post(body, "application/json");
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(201);
        assertThat(specializations()).isEqualTo(before + 1);
    }

    @Test
    void aParetoPlotWhileEverySearchSlotIsBusyIsA503ThenItIsDrawn() throws Exception {
        String pareto = "/api/v1/supernets/" + supernet + "/pareto?device=host-cpu";
        List<SearchSlots.Slot> held = new ArrayList<>();
        for (int i = 0; i < searchSlots.size(); i++) {
            held.add(searchSlots.take());
        }
        HttpResponse<String> refused;
        try {
            refused = get(pareto);
        } finally {
            held.forEach(SearchSlots.Slot::close);
        }
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(get(pareto).statusCode()).isEqualTo(200);
    }

    @MockitoSpyBean
    DeviceLatencies deviceLatencies;

    /** Stands for the process dying at that point: nothing after it runs, nothing catches it. */
    private static final class Killed extends Error {}

    /**
     * An export job that dies after it has written the model, the subnet's ONNX and its costs
     * (simulated: the last stage throws out of the job; PostgreSQL does to a killed process's open
     * transaction what it does to a rolled-back one) is taken up again from the queue, and the
     * waiting request is answered once, by the second attempt; the same request again is 200.
     */
    /** The benchmark's spread of held-out figures: other split seeds, fitted on the same rows, stored nowhere. */
    @Test
    void otherSplitSeedsRefitOnTheSameRowsWithoutStoringAVersion() {
        dev.tailor.space.SearchSpace space =
                dev.tailor.space.SearchSpace.fromJson(jdbc.sql("select space_spec::text from supernet where id = ?")
                        .param(supernet)
                        .query(String.class)
                        .single());
        long versions = predictorVersions();

        List<dev.tailor.predictor.PredictorReport> others = predictors.otherSplits(supernet, space, 3);

        assertThat(others).hasSize(3);
        assertThat(others)
                .allSatisfy(report -> assertThat(report.trainCount() + report.heldOutCount())
                        .isEqualTo(predictors.catalogueRows(supernet)));
        // different held-out fifths: the errors differ from split to split
        assertThat(others.stream()
                        .mapToDouble(dev.tailor.predictor.PredictorReport::rmsePoints)
                        .distinct()
                        .count())
                .isEqualTo(3);
        assertThat(predictorVersions()).isEqualTo(versions);
    }

    private long predictorVersions() {
        return jdbc.sql("select count(*) from accuracy_predictor where supernet_id = ?")
                .param(supernet)
                .query(Long.class)
                .single();
    }

    @Test
    void anExportJobThatDiesIsDoneAgainAndTheRequestIsAnsweredOnce() throws Exception {
        String body = "{\"device\":\"host-cpu\",\"macs\":2200000,\"supernet\":\"" + supernet + "\"}";
        // a predictor fitted on every row so far: the one row this export adds cannot reach the growth
        // that refits it on request (a quarter), which would make the repeat below a new request
        // (answers are stored per predictor version) whenever earlier tests' exports left the
        // catalogue just short of it
        predictors.fit(
                supernet,
                dev.tailor.space.SearchSpace.fromJson(jdbc.sql("select space_spec::text from supernet where id = ?")
                        .param(supernet)
                        .query(String.class)
                        .single()));
        long before = specializations();
        org.mockito.Mockito.doThrow(new Killed())
                .doCallRealMethod()
                .when(deviceLatencies)
                .refreshSubnets(org.mockito.ArgumentMatchers.any());

        HttpResponse<String> answered = post(body, "application/json");

        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(201);
        org.mockito.Mockito.verify(deviceLatencies, org.mockito.Mockito.times(2))
                .refreshSubnets(org.mockito.ArgumentMatchers.any());
        assertThat(specializations()).isEqualTo(before + 1);
        String sha =
                JSON.readTree(answered.body()).path("artifact").path("sha256").asString();
        assertThat(jdbc.sql("select count(*) from artifact where sha256 = ?")
                        .param(sha)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from specialization_export_task")
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(post(body, "application/json").statusCode()).isEqualTo(200);
        assertThat(specializations()).isEqualTo(before + 1);
    }

    @Autowired
    PickExporter pickExporter;

    @Autowired
    javax.sql.DataSource dataSource;

    @Test
    void aRequestWaitingForAnExportIsAnswered503AsTheServerStopsNotHeldUntilItsWaitEnds() throws Exception {
        String key = "5".repeat(64);
        // an export no worker takes for a day: its waiter would hold the stop for tailor.specialization.wait
        jdbc.sql("insert into specialization_export_task (task_name, task_instance, execution_time, picked,"
                        + " version) values (?, ?, now() + interval '1 day', false, 1)")
                .params(SpecializationExports.TASK, key)
                .update();
        // an API replica: no export worker of its own, a request waits up to a minute for the answer
        SpecializationExports replica = new SpecializationExports(
                pickExporter, jdbc, dataSource, false, "queued", Duration.ofMinutes(1), Duration.ofSeconds(2), 20);
        PendingExport pending =
                new PendingExport(key, supernet, 1, "host-cpu", null, "{}", 0.5, "macs", null, true, null, 0, 0, 0);
        try {
            CompletableFuture<Boolean> request = CompletableFuture.supplyAsync(() -> replica.exportAndWait(pending));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (replica.waiting() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(replica.waiting()).isEqualTo(1);
            long stopped = System.nanoTime();

            replica.answerWaitersOnClose();

            assertThat(request)
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause()
                    .isInstanceOfSatisfying(org.springframework.web.ErrorResponseException.class, e -> {
                        assertThat(e.getStatusCode().value()).isEqualTo(503);
                        assertThat(e.getHeaders().getFirst("Retry-After")).isEqualTo("10");
                        assertThat(e.getBody().getDetail()).contains("stopping").contains("send the same request");
                        assertThat(e.getBody().getProperties()).containsEntry("export", "queued");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(Duration.ofSeconds(5));
            assertThat(replica.waiting()).isZero();
            // the export itself is left to whichever worker takes it
            assertThat(jdbc.sql("select count(*) from specialization_export_task where task_instance = ?")
                            .param(key)
                            .query(Long.class)
                            .single())
                    .isEqualTo(1);
        } finally {
            jdbc.sql("delete from specialization_export_task where task_instance = ?")
                    .param(key)
                    .update();
        }
    }

    private long specializations() {
        return jdbc.sql("select count(*) from specialization where supernet_id = ?")
                .param(supernet)
                .query(Long.class)
                .single();
    }

    @Test
    void aLatencyBudgetOnHostCpuIsSearchedOnItsModelAsTheHostRunsNow(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        dev.tailor.space.SearchSpace space =
                dev.tailor.space.SearchSpace.fromJson(jdbc.sql("select space_spec::text from supernet where id = ?")
                        .param(supernet)
                        .query(String.class)
                        .single());
        MadeUpHostModels.ensure(context, space, 10);
        DeviceLatencyModel model =
                deviceLatencies.modelFor(hosts.cpu(), space, 10).orElseThrow();
        // made up, the model is far from this host's real timings: the check finds how far, and the
        // request just after reuses it
        HostSpeedCheck.Result checked = speedCheck.check(space, 10, model::millis);
        double budget = checked.factor() * (model.millis(space.smallest()) + model.millis(space.largest())) / 2;

        HttpResponse<String> response = post(
                "{\"device\":\"host-cpu\",\"latencyMs\":" + budget + ",\"supernet\":\"" + supernet + "\"}",
                "application/json");
        assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
        assertThat(SpecSchemas.responseViolations("createSpecialization", response))
                .isEmpty();
        JsonNode answer = JSON.readTree(response.body());
        JsonNode latency = answer.path("latency");
        JsonNode speed = latency.path("speedCheck");
        assertThat(speed.path("referenceSubnets").asInt(-1)).isEqualTo(6);
        assertThat(speed.path("measuredOverPredicted").asDouble(Double.NaN)).isEqualTo(checked.measuredOverPredicted());
        assertThat(speed.path("applied").isBoolean()).isTrue();
        assertThat(speed.path("applied").asBoolean()).isEqualTo(checked.applied());
        // the search worked with the stored model times the check's factor, within the budget
        dev.tailor.space.SubnetConfig config =
                dev.tailor.space.SubnetConfig.parse(answer.path("config").toString());
        double searched = latency.path("searchedMs").asDouble(Double.NaN);
        assertThat(searched)
                .isCloseTo(
                        checked.factor() * model.millis(config), org.assertj.core.data.Percentage.withPercentage(1e-6));
        assertThat(searched).isLessThanOrEqualTo(budget);
        assertThat(latency.path("source").asString()).isEqualTo("measured");
        assertThat(latency.path("ms").asDouble(-1)).isPositive();
        // whether the timing at export still read a slow episode (1.25x the latency searched with)
        assertThat(latency.path("timedInSlowEpisode").isBoolean()).isTrue();
        assertThat(latency.path("timedInSlowEpisode").asBoolean())
                .isEqualTo(latency.path("ms").asDouble() >= 1.25 * searched);
        // the host's variation so far: the check's passes above (one, or a few where it waited for
        // a slow episode); a figure once 5 are kept, and with the model's error beside it
        JsonNode host = latency.path("expectedError").path("hostVariation");
        int timings = host.path("timings").asInt(-1);
        assertThat(timings).isPositive();
        boolean stated = timings >= 5;
        assertThat(host.path("percent").isNumber()).isEqualTo(stated);
        assertThat(host.path("withModelPercent").isNumber()).isEqualTo(stated);
        // the model's error on the held-out subnets it predicted nearest the pick, from its calibration
        JsonNode near = latency.path("expectedError").path("nearPick");
        HeldOutPairs.Near expectedNear = model.errorNear(config).orElseThrow();
        assertThat(near.path("heldOutSubnets").asInt(-1)).isEqualTo(expectedNear.count());
        assertThat(near.path("fromMs").asDouble(Double.NaN)).isEqualTo(expectedNear.fromMs());
        assertThat(near.path("toMs").asDouble(Double.NaN)).isEqualTo(expectedNear.toMs());
        assertThat(near.path("mapePercent").asDouble(Double.NaN))
                .isCloseTo(100 * expectedNear.mape(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(near.path("biasPercent").asDouble(Double.NaN))
                .isCloseTo(100 * expectedNear.bias(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(near.path("worstPercent").asDouble(Double.NaN))
                .isCloseTo(100 * expectedNear.worst(), org.assertj.core.data.Offset.offset(1e-9));
        if (stated) {
            double mape = Math.max(
                    latency.path("expectedError").path("mapePercent").asDouble(Double.NaN),
                    near.path("mapePercent").asDouble(Double.NaN));
            assertThat(host.path("withModelPercent").asDouble(Double.NaN))
                    .isCloseTo(
                            100 * ((1 + mape / 100) * (1 + host.path("percent").asDouble(Double.NaN) / 100) - 1),
                            org.assertj.core.data.Offset.offset(1e-9));
        }

        // the CLI, asked the same, gets the stored answer and says how the host ran
        Cli cli = cli(
                "--device",
                "host-cpu",
                "--latency-ms",
                String.valueOf(budget),
                "--supernet",
                supernet.toString(),
                "-o",
                dir.resolve("model.onnx").toString());
        assertThat(cli.code()).as(cli.err()).isZero();
        assertThat(cli.out())
                .contains("(measured)")
                .contains("its latency model just before the search")
                .contains("held-out subnets it predicts nearest")
                .contains(stated ? "the host's speed moved by" : "how far the host's speed moves is not known yet")
                .contains(checked.applied() ? "the search used the model scaled by it" : "not scaled");
    }

    @Test
    void tighterBudgetsNeverPredictMoreAccuracyAndInfeasibleOnesNameTheClosestValue() throws Exception {
        // one predictor for the four budgets: fitted on every row so far, so that the rows their exports
        // add cannot reach the growth that refits it (a quarter) part-way, whatever earlier tests exported
        predictors.fit(
                supernet,
                dev.tailor.space.SearchSpace.fromJson(jdbc.sql("select space_spec::text from supernet where id = ?")
                        .param(supernet)
                        .query(String.class)
                        .single()));
        List<Double> predicted = new ArrayList<>();
        java.util.Set<Integer> versions = new java.util.HashSet<>();
        for (long macs : new long[] {1_200_000, 2_000_000, 4_000_000, 8_000_000}) {
            HttpResponse<String> response = post(
                    "{\"device\":\"jetson-nano\",\"macs\":" + macs + ",\"supernet\":\"" + supernet + "\"}",
                    "application/json");
            assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
            JsonNode node = JSON.readTree(response.body());
            assertThat(node.path("macs").asLong()).isLessThanOrEqualTo(macs);
            assertThat(node.path("latency").path("source").asString()).isEqualTo("estimated");
            // said once: the note read "a lower bound, real runs are slower; a lower bound: real runs are slower"
            String note =
                    node.path("latency").path("expectedError").path("note").asString();
            assertThat(note.split("lower bound", -1)).as(note).hasSize(2);
            predicted.add(node.path("accuracy").path("predicted").asDouble());
            versions.add(node.path("search").path("predictorVersion").asInt(-1));
        }
        assertThat(versions).hasSize(1).doesNotContain(-1);
        assertThat(predicted).isSorted();

        long specializations = jdbc.sql("select count(*) from specialization")
                .query(Long.class)
                .single();
        HttpResponse<String> tooTight = post(
                "{\"device\":\"jetson-nano\",\"latencyMs\":0.000001,\"supernet\":\"" + supernet + "\"}",
                "application/json");
        assertThat(tooTight.statusCode()).as(tooTight.body()).isEqualTo(422);
        JsonNode problem = JSON.readTree(tooTight.body());
        assertThat(problem.path("errors").get(0).path("field").asString()).isEqualTo("latencyMs");
        assertThat(problem.path("closestReachable").path("latencyMs").asDouble(-1))
                .isPositive();
        assertThat(jdbc.sql("select count(*) from specialization")
                        .query(Long.class)
                        .single())
                .isEqualTo(specializations);
    }

    @Autowired
    dev.tailor.catalogue.DeviceRepository deviceRepository;

    @Test
    void anAnswerFoundWithAnOlderLatencySourceIsSearchedAgainOnceTheDevicesSourceChanges() throws Exception {
        String name = "roofline-" + UUID.randomUUID().toString().substring(0, 8);
        jdbc.sql("insert into device (name, runtime, execution_provider, measurement, peak_gflops, memory_gbps)"
                        + " values (?, 'onnxruntime', 'CPU', 'AGENT', 100, 10)")
                .param(name)
                .update();
        deviceLatencies.refresh(deviceRepository.findByName(name).orElseThrow());
        String body = "{\"device\":\"" + name + "\",\"latencyMs\":5,\"supernet\":\"" + supernet + "\"}";
        assertThat(post(body, "application/json").statusCode()).isEqualTo(201);
        // a refresh that changes nothing (a catalogue build's) keeps the stored answer
        deviceLatencies.refresh(deviceRepository.findByName(name).orElseThrow());
        Thread.sleep(RecentLookups.FRESH_NANOS / 1_000_000 + 200);
        HttpResponse<String> again = post(body, "application/json");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.headers().firstValue("X-Tailor-From-Catalogue")).hasValue("true");

        // the source changes (here its figures; agents' measurements fitted into a model alike): searched again
        jdbc.sql("update device set peak_gflops = 400 where name = ?")
                .param(name)
                .update();
        deviceLatencies.refresh(deviceRepository.findByName(name).orElseThrow());
        Thread.sleep(RecentLookups.FRESH_NANOS / 1_000_000 + 200);

        HttpResponse<String> after = post(body, "application/json");
        assertThat(after.statusCode()).as(after.body()).isEqualTo(201);
        assertThat(post(body, "application/json").statusCode()).isEqualTo(200);
    }

    @Test
    void theFastestSubnetOnADeviceWithoutALatencySourceIsRefusedNotAnsweredByMacs() throws Exception {
        String name = "no-figures-" + UUID.randomUUID().toString().substring(0, 8);
        jdbc.sql("insert into device (name, runtime, execution_provider, measurement)"
                        + " values (?, 'onnxruntime', 'CPU', 'AGENT')")
                .param(name)
                .update();
        long specializations = jdbc.sql("select count(*) from specialization")
                .query(Long.class)
                .single();

        HttpResponse<String> refused = post(
                "{\"device\":\"" + name + "\",\"objective\":\"latency\",\"minAccuracy\":0.1,\"supernet\":\"" + supernet
                        + "\"}",
                "application/json");

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
        JsonNode problem = JSON.readTree(refused.body());
        assertThat(problem.path("errors").get(0).path("field").asString()).isEqualTo("objective");
        assertThat(problem.path("detail").asString()).contains(name).contains("device agent");
        assertThat(jdbc.sql("select count(*) from specialization")
                        .query(Long.class)
                        .single())
                .isEqualTo(specializations);
    }

    @Test
    void thePredictorAndTheParetoPlotAreServed() throws Exception {
        HttpResponse<String> predictor = get("/api/v1/supernets/" + supernet + "/predictor");
        assertThat(predictor.statusCode()).as(predictor.body()).isEqualTo(200);
        assertThat(SpecSchemas.responseViolations("getPredictor", predictor)).isEmpty();
        // its artifact is served as the media type the spec declares for it
        HttpResponse<String> fitted = get("/api/v1/artifacts/"
                + JSON.readTree(predictor.body()).path("artifactSha256").asString());
        assertThat(fitted.statusCode()).isEqualTo(200);
        assertThat(SpecSchemas.responseViolations("getArtifact", fitted)).isEmpty();
        JsonNode report = JSON.readTree(predictor.body()).path("report");
        assertThat(report.path("heldOutCount").asInt()).isPositive();
        assertThat(report.has("rmsePoints") && report.has("noiseFloorPoints") && report.has("macsRmsePoints"))
                .isTrue();

        HttpResponse<String> svg = get("/api/v1/supernets/" + supernet + "/pareto?device=jetson-nano");
        assertThat(svg.statusCode()).isEqualTo(200);
        assertThat(SpecSchemas.responseViolations("getPareto", svg)).isEmpty();
        assertThat(svg.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("image/svg+xml"));
        assertThat(svg.body()).contains("<svg").contains("latency on jetson-nano, ms (estimated)");
        assertThat(get("/api/v1/supernets/" + supernet + "/pareto?device=jetson-nano")
                        .body())
                .isEqualTo(svg.body());
        HttpResponse<String> data =
                send(HttpRequest.newBuilder(uri("/api/v1/supernets/" + supernet + "/pareto?device=jetson-nano"))
                        .header("Accept", "application/json")
                        .build());
        assertThat(SpecSchemas.responseViolations("getPareto", data)).isEmpty();
        assertThat(JSON.readTree(data.body()).path("catalogue").size()).isGreaterThanOrEqualTo(24);
        assertThat(JSON.readTree(data.body()).path("predictedFront").size()).isPositive();
        assertThat(get("/api/v1/supernets/" + supernet + "/pareto?device=no-such-board")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void theCliWritesTheModelAndNamesTheFlagItRefuses(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path model = dir.resolve("model.onnx");
        Cli ok = cli(
                "--device",
                "jetson-nano",
                "--macs",
                "4000000",
                "--supernet",
                supernet.toString(),
                "-o",
                model.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("wrote " + model).contains("(estimated)");
        try (OrtSession session = OrtEnvironment.getEnvironment()
                .createSession(java.nio.file.Files.readAllBytes(model), new OrtSession.SessionOptions())) {
            assertThat(session.getInputNames()).containsExactly("image");
        }
        Map<String[], String> refused = Map.of(
                new String[] {"--macs", "4000000"}, "-o",
                new String[] {"--latency-ms", "soon", "-o", model.toString()}, "--latency-ms",
                new String[] {"--latency-ms", "-2", "-o", model.toString()}, "--latency-ms",
                new String[] {"--min-accuracy", "95", "-o", model.toString()}, "--min-accuracy",
                new String[] {"--device", "toaster", "--macs", "1", "-o", model.toString()}, "toaster",
                new String[] {"--speed", "max", "-o", model.toString()}, "--speed");
        for (var entry : refused.entrySet()) {
            Cli run = cli(entry.getKey());
            assertThat(run.code()).as(String.join(" ", entry.getKey())).isEqualTo(2);
            assertThat(run.err()).startsWith("tailor specialize: ").contains(entry.getValue());
        }
    }

    private record Cli(int code, String out, String err) {}

    @Autowired
    Specializer specializer;

    @Autowired
    dev.tailor.catalogue.ArtifactRepository artifacts;

    private Cli cli(String... args) {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int code = new SpecializeCommand(
                        specializer,
                        artifacts,
                        new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                        new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8))
                .execute(args);
        return new Cli(
                code,
                out.toString(java.nio.charset.StandardCharsets.UTF_8),
                err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private HttpRequest request(String body, String accept) {
        return HttpRequest.newBuilder(uri("/api/v1/specializations"))
                .header("Content-Type", "application/json")
                .header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    @Test
    void anAnswerTimedInASlowEpisodeIsTimedAgainByAWorkerOnceTheHostRunsAtItsUsualSpeed() throws Exception {
        dev.tailor.space.SearchSpace space =
                dev.tailor.space.SearchSpace.fromJson(jdbc.sql("select space_spec::text from supernet where id = ?")
                        .param(supernet)
                        .query(String.class)
                        .single());
        MadeUpHostModels.ensure(context, space, 10);
        // fitted on every row so far: the row this export adds cannot refit it before the request is
        // asked again below (a refit would make that a new request)
        predictors.fit(supernet, space);
        DeviceLatencyModel model =
                deviceLatencies.modelFor(hosts.cpu(), space, 10).orElseThrow();
        HttpResponse<String> made = post(
                "{\"device\":\"host-cpu\",\"macs\":2400000,\"supernet\":\"" + supernet + "\"}", "application/json");
        assertThat(made.statusCode()).as(made.body()).isIn(200, 201);
        JsonNode answer = JSON.readTree(made.body());
        String id = answer.path("id").asString();
        double expected = model.millis(
                dev.tailor.space.SubnetConfig.parse(answer.path("config").toString()));
        long subnet = jdbc.sql("select subnet_id from specialization where id = ?::uuid")
                .param(id)
                .query(Long.class)
                .single();
        // this answer alone is flagged (another test's export may have met a real slow episode)
        jdbc.sql("update specialization set response = jsonb_set(response, '{latency,timedInSlowEpisode}', 'false')"
                        + " where id <> ?::uuid and response->'latency'->>'timedInSlowEpisode' = 'true'")
                .param(id)
                .update();
        // as a worker stores a file timed in a slow episode that outlasted the wait
        jdbc.sql("update specialization set response = jsonb_set(jsonb_set(response, '{latency,ms}', '9.9'),"
                        + " '{latency,timedInSlowEpisode}', 'true') where id = ?::uuid")
                .param(id)
                .update();
        int measurements = hostMeasurements(subnet);
        java.util.concurrent.atomic.AtomicInteger timings = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Double> reads = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean training = new java.util.concurrent.atomic.AtomicBoolean();
        SlowEpisodeRetimer retimer = new SlowEpisodeRetimer(
                context.getBean(SlowEpisodeAnswers.class),
                bytes -> {
                    assertThat(dev.tailor.catalogue.Artifact.sha256(bytes))
                            .isEqualTo(answer.path("artifact").path("sha256").asString());
                    timings.incrementAndGet();
                    return new dev.tailor.latency.LatencyStats(
                            reads.get(), reads.get(), reads.get(), 0, 200, 1, 1, 28, "re-timed in a test");
                },
                context.getBean(dev.tailor.export.ExportedFileTimings.class),
                speedCheck::slowEpisode,
                training::get,
                0);

        // still in the episode (1.3x what the model expects): left as stored
        reads.set(1.3 * expected);
        assertThat(retimer.tick()).isZero();
        assertThat(timings).hasValue(1);
        JsonNode still =
                JSON.readTree(get("/api/v1/specializations/" + id).body()).path("latency");
        assertThat(still.path("ms").asDouble(-1)).isEqualTo(9.9);
        assertThat(still.path("timedInSlowEpisode").asBoolean(false)).isTrue();
        assertThat(still.path("retimed").isNull() || still.path("retimed").isMissingNode())
                .isTrue();

        // while a training job runs nothing is timed
        training.set(true);
        assertThat(retimer.tick()).isZero();
        assertThat(timings).hasValue(1);
        training.set(false);

        // at the host's usual speed: the later figure is the answer's, the one at export kept beside it
        reads.set(1.1 * expected);
        assertThat(retimer.tick()).isEqualTo(1);
        HttpResponse<String> retimed = get("/api/v1/specializations/" + id);
        assertThat(SpecSchemas.responseViolations("getSpecialization", retimed)).isEmpty();
        JsonNode latency = JSON.readTree(retimed.body()).path("latency");
        assertThat(latency.path("ms").asDouble(-1))
                .isCloseTo(1.1 * expected, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(latency.path("timedInSlowEpisode").isBoolean()).isTrue();
        assertThat(latency.path("timedInSlowEpisode").asBoolean(true)).isFalse();
        assertThat(latency.path("retimed").path("msAtExport").asDouble(-1)).isEqualTo(9.9);
        assertThat(java.time.OffsetDateTime.parse(
                        latency.path("retimed").path("at").asString()))
                .isAfter(java.time.OffsetDateTime.now().minusMinutes(5));
        // the same request again is answered with it, and the subnet's newest host-cpu timing is it
        JsonNode again = JSON.readTree(
                post("{\"device\":\"host-cpu\",\"macs\":2400000,\"supernet\":\"" + supernet + "\"}", "application/json")
                        .body());
        assertThat(again.path("latency").path("ms").asDouble(-1))
                .isEqualTo(latency.path("ms").asDouble());
        assertThat(hostMeasurements(subnet)).isEqualTo(measurements + 1);
        assertThat(jdbc.sql("select p50_ms from latency_measurement where subnet_id = ? and source = 'MEASURED'"
                                + " and device_id = ? order by measured_at desc, id desc limit 1")
                        .params(subnet, hosts.cpu().getId())
                        .query(Double.class)
                        .single())
                .isCloseTo(1.1 * expected, org.assertj.core.data.Offset.offset(1e-12));

        // nothing flagged is left: nothing is timed
        assertThat(retimer.tick()).isZero();
        assertThat(timings).hasValue(2);
    }

    private int hostMeasurements(long subnet) {
        return jdbc.sql("select count(*) from latency_measurement where subnet_id = ? and source = 'MEASURED'"
                        + " and device_id = ?")
                .params(subnet, hosts.cpu().getId())
                .query(Integer.class)
                .single();
    }

    private HttpResponse<String> post(String body, String accept) throws Exception {
        return send(request(body, accept));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
