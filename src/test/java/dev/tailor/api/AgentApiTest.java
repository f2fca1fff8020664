package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.tailor.agent.DeviceAgent;
import dev.tailor.catalogue.Artifact;
import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.catalogue.LatencyMeasurementRepository;
import dev.tailor.catalogue.Subnet;
import dev.tailor.catalogue.SubnetRepository;
import dev.tailor.catalogue.Supernet;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.latency.DeviceLatencies;
import dev.tailor.onnx.ExportMetadata;
import dev.tailor.onnx.OnnxExport;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.supernet.StaticSubnet;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Device agents against the real API: tokens, tasks with leases, measurements, refits, garbage refused. */
class AgentApiTest extends ApiTestSupport {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);

    @Autowired
    SupernetRepository supernets;

    @Autowired
    SubnetRepository subnets;

    @Autowired
    ArtifactRepository artifacts;

    @Autowired
    LatencyMeasurementRepository measurements;

    @Autowired
    DeviceLatencies latencies;

    @Autowired
    dev.tailor.latency.DeviceRefits refits;

    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    @Autowired
    org.springframework.transaction.support.TransactionTemplate transactions;

    @Autowired
    dev.tailor.catalogue.DeviceRepository deviceRepository;

    String device;
    String token;
    String otherToken;
    UUID supernetId;
    long subnetId;

    @BeforeEach
    void catalogueWithOneExportedSubnet() {
        Supernet supernet = new Supernet("agent-fixture", SPACE.toJson(), "generated");
        supernet.markReady(null);
        supernet.setNumClasses(10);
        supernet = supernets.saveAndFlush(supernet);
        supernetId = supernet.getId();
        SubnetConfig config = SPACE.smallest();
        byte[] model;
        try (NDManager manager = NDManager.newBaseManager();
                StaticSubnet subnet = StaticSubnet.extract(
                        dev.tailor.supernet.Supernet.create(SPACE, 10, manager), config, manager)) {
            model = OnnxExport.builder()
                    .setSubnet(subnet)
                    .setMetadata(new ExportMetadata(
                            supernetId.toString(),
                            config.canonicalJson(),
                            config.sha256(),
                            "generated",
                            new float[] {0},
                            new float[] {1},
                            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
                            null,
                            null,
                            1))
                    .build()
                    .toBytes();
        }
        Artifact artifact = Artifact.of(model, OnnxExport.MEDIA_TYPE);
        if (!artifacts.existsById(artifact.getSha256())) {
            artifacts.save(artifact);
        }
        Subnet subnet = new Subnet(supernet, config.canonicalJson());
        subnet.setOnnxSha256(artifact.getSha256());
        subnetId = subnets.saveAndFlush(subnet).getId();
        device = "agent-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(postJson("/api/v1/devices", "{\"name\":\"" + device + "\"}").statusCode())
                .isEqualTo(201);
        HttpResponse<String> issued = postJson("/api/v1/devices/" + device + "/agent-token", "");
        assertThat(SpecSchemas.responseViolations("issueAgentToken", issued)).isEmpty();
        token = body(issued).path("token").asString();
        // the key issued is a resource of its own: an operator can look it up and revoke it there
        assertThat(issued.headers().firstValue("Location"))
                .contains("/api/v1/api-keys/" + body(issued).path("keyId").asLong());
        String other = "other-" + UUID.randomUUID().toString().substring(0, 8);
        postJson("/api/v1/devices", "{\"name\":\"" + other + "\"}");
        otherToken = body(postJson("/api/v1/devices/" + other + "/agent-token", ""))
                .path("token")
                .asString();
    }

    @Test
    void rotationsAtOnceLeaveOneWorkingAgentKey() throws Exception {
        String rotated = "rotated-" + UUID.randomUUID().toString().substring(0, 8);
        postJson("/api/v1/devices", "{\"name\":\"" + rotated + "\"}");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        List<String> tokens;
        try {
            List<java.util.concurrent.Future<String>> issued = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                issued.add(pool.submit(() -> body(postJson("/api/v1/devices/" + rotated + "/agent-token", ""))
                        .path("token")
                        .asString()));
            }
            tokens = new java.util.ArrayList<>();
            for (var token : issued) {
                tokens.add(token.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        // each rotation revokes the device's earlier keys: however they interleave, one key works
        long working = tokens.stream()
                .filter(t -> withToken("GET", "/api/v1/devices/" + rotated + "/tasks", t, null)
                                .statusCode()
                        == 200)
                .count();
        assertThat(working).isEqualTo(1);
    }

    private HttpResponse<String> withToken(String method, String path, String tokenToSend, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json");
        if (tokenToSend != null) {
            request.header("Authorization", "Bearer " + tokenToSend);
        }
        return send(
                switch (method) {
                    case "GET" -> request.GET().build();
                    case "HEAD" ->
                        request.method("HEAD", HttpRequest.BodyPublishers.noBody())
                                .build();
                    default ->
                        request.POST(HttpRequest.BodyPublishers.ofString(json)).build();
                });
    }

    @Test
    void aHeadOnTheTaskListIsAnAgentsPullAndNeedsItsKey() {
        // a HEAD is decided as the GET it stands for: only the device's agent may ask
        String tasks = "/api/v1/devices/" + device + "/tasks?limit=200";
        assertThat(withToken("HEAD", tasks, null, null).statusCode()).isEqualTo(401);
        assertThat(withToken("HEAD", tasks, otherToken, null).statusCode()).isEqualTo(403);
        assertThat(withToken("HEAD", tasks, dev.tailor.security.TestKeys.OPERATOR, null)
                        .statusCode())
                .isEqualTo(403);
        HttpResponse<String> all = withToken("GET", tasks, token, null);
        assertThat(body(all).size()).isPositive();
        // layer and subnet tasks alike are what the spec says
        assertThat(SpecSchemas.responseViolations("pullMeasurementTasks", all)).isEmpty();
    }

    @Test
    void anAgentsHeadOnItsTaskListLeasesNothing() {
        String tasks = "/api/v1/devices/" + device + "/tasks?limit=200";
        HttpResponse<String> head = withToken("HEAD", tasks, token, null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        // a GET served for the HEAD would have leased every task to it
        assertThat(body(withToken("GET", tasks, token, null)).size()).isPositive();
        assertThat(withToken("HEAD", "/api/v1/devices/no-such-device/tasks", token, null)
                        .statusCode())
                .isIn(403, 404);
    }

    @Test
    void tasksNeedTheDevicesOwnTokenAndAreLeasedToOneAgentAtATime() {
        String tasks = "/api/v1/devices/" + device + "/tasks?limit=3";
        assertThat(problem(withToken("GET", tasks, null, null), 401)
                        .path("detail")
                        .asString())
                .contains("an agent key bound to device '" + device + "'");
        problem(withToken("GET", tasks, "not-a-token", null), 401);
        assertThat(problem(withToken("GET", tasks, otherToken, null), 403)
                        .path("detail")
                        .asString())
                .contains("bound to device '" + device + "'")
                .contains("does not allow it");
        // an operator may do everything but an agent's own work
        problem(withToken("GET", tasks, dev.tailor.security.TestKeys.OPERATOR, null), 403);
        HttpResponse<String> pulled = withToken("GET", tasks, token, null);
        assertThat(SpecSchemas.responseViolations("pullMeasurementTasks", pulled))
                .isEmpty();
        JsonNode first = body(pulled);
        JsonNode second = body(withToken("GET", tasks, token, null));
        assertThat(first.size()).isEqualTo(3);
        Set<String> ids = new HashSet<>();
        first.forEach(task -> ids.add(task.path("id").asString()));
        second.forEach(task -> assertThat(ids).doesNotContain(task.path("id").asString()));
        JsonNode task = first.get(0);
        assertThat(task.path("kind").asString()).isIn("layer", "subnet");
        assertThat(get(task.path("modelUrl").asString()).statusCode()).isEqualTo(200);
    }

    @Test
    void anAgentMeasuresTasksAndPostsThemAndGarbageIsRefusedWithNothingStored() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = DeviceAgent.main(
                new String[] {
                    "--server",
                    "http://localhost:" + port,
                    "--device",
                    device,
                    "--token",
                    token,
                    "--once",
                    "--max-tasks",
                    "3"
                },
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("3 measurements posted");
        long stored = measurements.count();

        String path = "/api/v1/devices/" + device + "/measurements";
        String layerKey = "conv-input:28x28x1-output:14x14x16-kernel:3-stride:2-act:hswish";
        String good = "\"batchSize\":1,\"resolution\":28,\"p50Ms\":0.05,\"runs\":50,\"threads\":1,"
                + "\"runtimeVersion\":\"onnxruntime 1.29.0\"";
        for (String[] bad : new String[][] {
            {"{}", "batchSize"},
            {"{\"layerKey\":\"" + layerKey + "\"," + good.replace("0.05", "-1") + "}", "p50Ms"},
            {"{\"layerKey\":\"warp-drive\"," + good + "}", "layerKey"},
            {"{\"layerKey\":\"" + layerKey + "\",\"subnetId\":" + subnetId + "," + good + "}", "layerKey"},
            {"{" + good + "}", "layerKey"},
            {"{\"subnetId\":99999999," + good + "}", "subnetId"},
            {"{\"subnetId\":" + subnetId + "," + good + "}", "resolution"},
            {"{\"layerKey\":\"" + layerKey + "\"," + good + ",\"p90Ms\":0.01}", "p90Ms"},
            // the task says batch 1 on 1 thread: a timing at batch 2 was stored, the task counted as done and the
            // timing never used (every read is at batch 1), so the device kept its estimates for good
            {
                "{\"layerKey\":\"" + layerKey + "\"," + good.replace("\"batchSize\":1", "\"batchSize\":2") + "}",
                "batchSize"
            },
            {"{\"layerKey\":\"" + layerKey + "\"," + good.replace("\"threads\":1", "\"threads\":4") + "}", "threads"},
            {"{\"layerKey\":\"" + layerKey + "\"," + good.replace("\"runs\":50", "\"runs\":\"many\"") + "}", "runs"},
            {"not json", "body"}
        }) {
            JsonNode problem = problem(withToken("POST", path, token, bad[0]), 400);
            assertThat(problem.toString()).as(bad[0]).contains(bad[1]);
        }
        problem(withToken("POST", path, otherToken, "{\"layerKey\":\"" + layerKey + "\"," + good + "}"), 403);
        problem(withToken("POST", path, null, "{\"layerKey\":\"" + layerKey + "\"," + good + "}"), 401);
        // a timing answers a task leased to the device: the key could otherwise put "measured" latencies on
        // any layer or subnet, however often (201 before)
        JsonNode unasked = problem(
                withToken(
                        "POST",
                        path,
                        token,
                        "{\"subnetId\":" + subnetId + ","
                                + good.replace(
                                        "\"resolution\":28",
                                        "\"resolution\":" + SPACE.smallest().resolution()) + "}"),
                409);
        assertThat(unasked.path("errors").get(0).path("field").asString()).isEqualTo("subnetId");
        assertThat(unasked.path("detail").asString()).contains("not leased to device");
        assertThat(measurements.count()).isEqualTo(stored);

        JsonNode task = body(withToken("GET", "/api/v1/devices/" + device + "/tasks?limit=1", token, null))
                .get(0);
        String answer = "{"
                + ("layer".equals(task.path("kind").asString())
                        ? "\"layerKey\":\"" + task.path("layerKey").asString() + "\","
                        : "\"subnetId\":" + task.path("subnetId").asLong() + ",")
                + good.replace(
                        "\"resolution\":28",
                        "\"resolution\":" + task.path("resolution").asInt()) + "}";
        HttpResponse<String> accepted = withToken("POST", path, token, answer);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
        assertThat(SpecSchemas.responseViolations("postMeasurement", accepted)).isEmpty();
        JsonNode refitQueued = body(accepted).path("refitQueued");
        assertThat(refitQueued.isBoolean()).as(accepted.body()).isTrue();
        assertThat(measurements.count()).isEqualTo(stored + 1);
        // the task is answered: a second timing of it (an agent whose lease lapsed, posting late) is not stored
        JsonNode again = problem(withToken("POST", path, token, answer), 409);
        assertThat(again.path("detail").asString()).contains("measured already");
        // a type of its own: the agent skips the task instead of backing off as from a busy server
        assertThat(again.path("type").asString()).isEqualTo("urn:tailor:problem:task-not-leased");
        assertThat(measurements.count()).isEqualTo(stored + 1);
    }

    private long[] refitVersions() {
        return jdbc.sql("select measured_version, refreshed_version from device where name = ?")
                .param(device)
                .query((row, n) -> new long[] {row.getLong(1), row.getLong(2)})
                .single();
    }

    private void awaitRefitsDone() throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (refitVersions()[1] < refitVersions()[0]) {
            assertThat(System.nanoTime()).as("refit still owed").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /**
     * The refit a measurement queues lived in the process's memory only: the process stopped (or the
     * database went away while it ran) just after an agent's last post, and the device kept its old
     * latencies for good. What is owed is now counted in the database, and a sweep runs it again.
     */
    @Test
    void aRefitOwedToADeviceOutlivesTheQueueThatLostIt() throws Exception {
        assertThat(DeviceAgent.main(
                        new String[] {
                            "--server",
                            "http://localhost:" + port,
                            "--device",
                            device,
                            "--token",
                            token,
                            "--once",
                            "--max-tasks",
                            "2"
                        },
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
                .isZero();
        assertThat(refitVersions()[0]).as("counted with the measurements").isEqualTo(2);
        awaitRefitsDone();

        // a measurement whose queued refit was lost with its process
        jdbc.sql("update device set measured_version = measured_version + 1 where name = ?")
                .param(device)
                .update();
        assertThat(refits.sweep()).isGreaterThanOrEqualTo(1);
        awaitRefitsDone();
        assertThat(refitVersions()[1]).isEqualTo(3);
        // nothing owed now: the sweep queues nothing for it
        assertThat(jdbc.sql("select count(*) from device where measured_version > refreshed_version")
                        .query(Long.class)
                        .single())
                .as("devices owed a refit")
                .isZero();
        assertThat(refits.sweep()).isZero();
    }

    /**
     * SIGTERM to a real agent process while it times: the batch under way is posted, the agent says
     * how many it posted and exits 143; before, the JVM's hooks closed ONNX Runtime under the timing.
     */
    @Test
    void anAgentStoppedWithSigtermPostsItsBatchAndExits() throws Exception {
        long before = measurements.count();
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(
                java.nio.file.Path.of("target").toAbsolutePath(), "agent-stop");
        java.nio.file.Path log = dir.resolve("agent.log");
        Process agent = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-Xmx256m",
                        "-Djava.io.tmpdir=" + dir,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.tailor.TailorApplication",
                        "agent",
                        "--server",
                        "http://localhost:" + port,
                        "--device",
                        device,
                        "--token",
                        token,
                        "--poll-seconds",
                        "30")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            long deadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
            // the first batch is posted; the next one is being timed (or the agent waits for tasks)
            while (!java.nio.file.Files.readString(log).contains(" p50 ")) {
                assertThat(agent.isAlive())
                        .as(java.nio.file.Files.readString(log))
                        .isTrue();
                assertThat(System.nanoTime())
                        .as("a first measurement within 2 minutes")
                        .isLessThan(deadline);
                Thread.sleep(50);
            }
            agent.destroy();
            assertThat(agent.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            String output = java.nio.file.Files.readString(log);
            assertThat(agent.exitValue()).as(output).isEqualTo(143);
            assertThat(output).contains("SIGTERM").containsPattern("agent: \\d+ measurements posted");
            assertThat(output).doesNotContain("fatal error").doesNotContain("SIGSEGV");
            long posted = Long.parseLong(output.replaceAll("(?s).*agent: (\\d+) measurements posted.*", "$1"));
            assertThat(posted).isPositive();
            assertThat(measurements.count() - before).isEqualTo(posted);
        } finally {
            agent.destroyForcibly();
        }
    }

    /**
     * Two refreshes of one device in two transactions (two processes' refits, a refit and a catalogue row's
     * refresh): each deleted the predicted row the other had not committed yet and stored its own, leaving
     * the subnet two rows on the device. The second now waits for the first to commit.
     */
    @Test
    void twoRefreshesOfOneDeviceAtOnceLeaveOneRowPerSubnet() throws Exception {
        dev.tailor.catalogue.Device nano =
                deviceRepository.findByName("jetson-nano").orElseThrow();
        java.util.concurrent.CountDownLatch firstRefreshed = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch secondStarted = new java.util.concurrent.CountDownLatch(1);
        Thread first = new Thread(() -> transactions.executeWithoutResult(status -> {
            latencies.refresh(nano);
            firstRefreshed.countDown();
            try {
                assertThat(secondStarted.await(30, java.util.concurrent.TimeUnit.SECONDS))
                        .isTrue();
                // time for the second refresh to reach its delete and insert before this one commits
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        first.start();
        assertThat(firstRefreshed.await(60, java.util.concurrent.TimeUnit.SECONDS))
                .isTrue();
        Thread second = new Thread(() -> {
            secondStarted.countDown();
            latencies.refresh(nano);
        });
        second.start();
        first.join(60_000);
        second.join(60_000);
        assertThat(first.isAlive() || second.isAlive()).isFalse();
        assertThat(jdbc.sql("select count(*) from latency_measurement where device_id = ? and subnet_id = ?"
                                + " and source = 'ESTIMATED'")
                        .params(nano.getId(), subnetId)
                        .query(Long.class)
                        .single())
                .as("estimated rows of the subnet on jetson-nano")
                .isEqualTo(1);
    }

    @Test
    void devicesWithoutMeasurementsGetRooflineEstimatesLabelledEstimated() {
        latencies.refreshAll();
        JsonNode rows = body(get("/api/v1/supernets/" + supernetId + "/subnets?device=jetson-nano"))
                .path("items");
        assertThat(rows.size()).isEqualTo(1);
        JsonNode latency = rows.get(0).path("latency");
        assertThat(latency.path("source").asString()).isEqualTo("estimated");
        assertThat(latency.path("p50Ms").asDouble()).isPositive();
    }

    @Test
    void aCudaDeviceIsTimedOnCudaOrNotAtAll() {
        String cudaDevice = "gpu-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(postJson("/api/v1/devices", "{\"name\":\"" + cudaDevice + "\",\"executionProvider\":\"cuda\"}")
                        .statusCode())
                .isEqualTo(201);
        String cudaToken = body(postJson("/api/v1/devices/" + cudaDevice + "/agent-token", ""))
                .path("token")
                .asString();
        JsonNode tasks = body(withToken("GET", "/api/v1/devices/" + cudaDevice + "/tasks?limit=2", cudaToken, null));
        assertThat(tasks.size()).isEqualTo(2);
        tasks.forEach(
                task -> assertThat(task.path("executionProvider").asString()).isEqualTo("cuda"));
        long stored = measurements.count();

        // a CPU timing is not a CUDA device's latency
        String layerKey = tasks.get(0).path("layerKey").asString();
        JsonNode problem = problem(
                withToken(
                        "POST",
                        "/api/v1/devices/" + cudaDevice + "/measurements",
                        cudaToken,
                        "{\"layerKey\":\"" + layerKey + "\",\"batchSize\":1,\"resolution\":"
                                + tasks.get(0).path("resolution").asInt()
                                + ",\"p50Ms\":0.05,\"runs\":50,\"threads\":1,\"runtimeVersion\":\"x\","
                                + "\"executionProvider\":\"cpu\"}"),
                400);
        assertThat(problem.path("errors").get(0).path("field").asString()).isEqualTo("executionProvider");

        // nor is a timing that does not say: an agent that does not name a provider times on the CPU (201 before)
        JsonNode unnamed = problem(
                withToken(
                        "POST",
                        "/api/v1/devices/" + cudaDevice + "/measurements",
                        cudaToken,
                        "{\"layerKey\":\"" + layerKey + "\",\"batchSize\":1,\"resolution\":"
                                + tasks.get(0).path("resolution").asInt()
                                + ",\"p50Ms\":0.05,\"runs\":50,\"threads\":1,\"runtimeVersion\":\"x\"}"),
                400);
        assertThat(unnamed.path("errors").get(0).path("field").asString()).isEqualTo("executionProvider");

        // the default build carries ONNX Runtime's CPU package, which has no CUDA provider whatever the host
        assertThat(ai.onnxruntime.OrtEnvironment.getAvailableProviders())
                .doesNotContain(ai.onnxruntime.OrtProvider.CUDA);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = DeviceAgent.main(
                new String[] {
                    "--server", "http://localhost:" + port, "--device", cudaDevice, "--token", cudaToken, "--once"
                },
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("cuda execution provider")
                .contains("-Pgpu")
                .contains("nothing was posted");
        assertThat(measurements.count()).isEqualTo(stored);
    }
}
