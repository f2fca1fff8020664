package dev.tailor.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A model that arrives with another SHA-256 than its task names is not timed and nothing is posted. */
class DeviceAgentModelCheckTest {

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aModelChangedOnTheWayIsNotTimedAndTheAgentTriesAgainLater() throws Exception {
        byte[] asked = "the model the server stored".getBytes(StandardCharsets.UTF_8);
        byte[] arrived = "a model changed on the way".getBytes(StandardCharsets.UTF_8);
        String task = "[{\"id\":\"t1\",\"kind\":\"subnet\",\"subnetId\":7,\"resolution\":28,\"warmupRuns\":1,"
                + "\"timedRuns\":3,\"threads\":1,\"batchSize\":1,\"executionProvider\":\"cpu\","
                + "\"modelUrl\":\"/api/v1/artifacts/" + sha256(asked) + "\",\"modelSha256\":\"" + sha256(asked)
                + "\"}]";
        AtomicInteger pulls = new AtomicInteger();
        AtomicInteger posts = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/devices/pi/tasks", exchange -> {
            byte[] body = (pulls.getAndIncrement() == 0 ? task : "[]").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/api/v1/artifacts/", exchange -> {
            exchange.sendResponseHeaders(200, arrived.length);
            exchange.getResponseBody().write(arrived);
            exchange.close();
        });
        server.createContext("/api/v1/devices/pi/measurements", exchange -> {
            posts.incrementAndGet();
            exchange.sendResponseHeaders(201, -1);
            exchange.close();
        });
        server.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DeviceAgent agent = new DeviceAgent(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
                "pi",
                "token",
                new PrintStream(out, true, StandardCharsets.UTF_8));

        // with --once, an empty list after a failed batch is no success: the agent's own leases hide its tasks
        assertThatThrownBy(() -> agent.run(true, 5, 1))
                .isInstanceOf(DeviceAgent.AgentException.class)
                .hasMessageContaining("a batch was not measured");
        assertThat(posts).hasValue(0);
        assertThat(pulls).hasValue(2);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("not the task's " + sha256(asked))
                .contains("trying again in");
    }

    @Test
    void aModelOnnxRuntimeCannotTimeDoesNotEndTheAgentAndFailuresInARowWaitLonger() throws Exception {
        // the right bytes, but no ONNX model: ONNX Runtime throws where the agent caught only its own errors
        byte[] notAModel = {1, 2, 3};
        String task = "[{\"id\":\"t1\",\"kind\":\"subnet\",\"subnetId\":7,\"resolution\":28,\"warmupRuns\":1,"
                + "\"timedRuns\":3,\"threads\":1,\"batchSize\":1,\"executionProvider\":\"cpu\","
                + "\"modelUrl\":\"/api/v1/artifacts/" + sha256(notAModel) + "\",\"modelSha256\":\""
                + sha256(notAModel) + "\"}]";
        AtomicInteger pulls = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/devices/pi/tasks", exchange -> {
            byte[] body = (pulls.getAndIncrement() < 2 ? task : "[]").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/api/v1/artifacts/", exchange -> {
            exchange.sendResponseHeaders(200, notAModel.length);
            exchange.getResponseBody().write(notAModel);
            exchange.close();
        });
        server.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DeviceAgent agent = new DeviceAgent(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
                "pi",
                "token",
                new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThatThrownBy(() -> agent.run(true, 5, 1))
                .isInstanceOf(DeviceAgent.AgentException.class)
                .hasMessageContaining("a batch was not measured");
        assertThat(pulls).hasValue(3);
        // the second failure in a row waits longer: a pull that answered used to reset the count every time
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("trying again in 2 s")
                .contains("trying again in 4 s");
    }

    /** A real ONNX model: the smallest subnet of the Fashion-MNIST space, untrained. */
    private static byte[] smallestModel() {
        dev.tailor.space.SearchSpace space =
                dev.tailor.space.SearchSpace.named(dev.tailor.space.SearchSpace.FASHION_MNIST);
        dev.tailor.space.SubnetConfig config = space.smallest();
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager();
                dev.tailor.supernet.StaticSubnet subnet = dev.tailor.supernet.StaticSubnet.extract(
                        dev.tailor.supernet.Supernet.create(space, 10, manager), config, manager)) {
            return dev.tailor.onnx.OnnxExport.builder()
                    .setSubnet(subnet)
                    .setMetadata(new dev.tailor.onnx.ExportMetadata(
                            "00000000-0000-0000-0000-000000000000",
                            config.canonicalJson(),
                            config.sha256(),
                            "generated",
                            new float[] {0},
                            new float[] {1},
                            java.util.List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
                            null,
                            null,
                            1))
                    .build()
                    .toBytes();
        }
    }

    /**
     * A task whose lease lapsed and that another agent of the device took and posted is answered: the
     * server refuses a second timing with a 409 of its own type. The agent went on as if the server were
     * busy, and a --once run ended with exit 1 saying the batch stays to be measured.
     */
    @Test
    void aTaskMeasuredAlreadyIsSkippedNotRetriedOrReportedAsUnmeasured() throws Exception {
        byte[] model = smallestModel();
        String common = "\"resolution\":28,\"warmupRuns\":1,\"timedRuns\":3,\"threads\":1,\"batchSize\":1,"
                + "\"executionProvider\":\"cpu\",\"modelUrl\":\"/api/v1/artifacts/" + sha256(model)
                + "\",\"modelSha256\":\"" + sha256(model) + "\"";
        String tasks = "[{\"id\":\"subnet:7\",\"kind\":\"subnet\",\"subnetId\":7," + common + "},"
                + "{\"id\":\"subnet:8\",\"kind\":\"subnet\",\"subnetId\":8," + common + "}]";
        AtomicInteger pulls = new AtomicInteger();
        AtomicInteger posts = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/devices/pi/tasks", exchange -> {
            byte[] body = (pulls.getAndIncrement() == 0 ? tasks : "[]").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/api/v1/artifacts/", exchange -> {
            exchange.sendResponseHeaders(200, model.length);
            exchange.getResponseBody().write(model);
            exchange.close();
        });
        server.createContext("/api/v1/devices/pi/measurements", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (posts.getAndIncrement() == 0) {
                byte[] problem = ("{\"type\":\"" + DeviceAgent.TASK_NOT_LEASED + "\",\"status\":409,"
                                + "\"detail\":\"task subnet:7 is not leased to device 'pi': it was measured already\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
                exchange.sendResponseHeaders(409, problem.length);
                exchange.getResponseBody().write(problem);
            } else {
                exchange.sendResponseHeaders(201, -1);
            }
            exchange.close();
        });
        server.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DeviceAgent agent = new DeviceAgent(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
                "pi",
                "token",
                new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(agent.run(true, 5, 1)).isEqualTo(1);
        assertThat(posts).hasValue(2);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("subnet:7 skipped: the server has it measured already")
                .doesNotContain("trying again");
    }

    @Test
    void aPostThatFailsDoesNotThrowAwayTheRestOfTheBatchOrItsCount() throws Exception {
        byte[] model = smallestModel();
        String common = "\"resolution\":28,\"warmupRuns\":1,\"timedRuns\":3,\"threads\":1,\"batchSize\":1,"
                + "\"executionProvider\":\"cpu\",\"modelUrl\":\"/api/v1/artifacts/" + sha256(model)
                + "\",\"modelSha256\":\"" + sha256(model) + "\"";
        String tasks = "[{\"id\":\"subnet:7\",\"kind\":\"subnet\",\"subnetId\":7," + common + "},"
                + "{\"id\":\"subnet:8\",\"kind\":\"subnet\",\"subnetId\":8," + common + "}]";
        AtomicInteger pulls = new AtomicInteger();
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger stored = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/devices/pi/tasks", exchange -> {
            byte[] body = (pulls.getAndIncrement() == 0 ? tasks : "[]").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/api/v1/artifacts/", exchange -> {
            exchange.sendResponseHeaders(200, model.length);
            exchange.getResponseBody().write(model);
            exchange.close();
        });
        server.createContext("/api/v1/devices/pi/measurements", exchange -> {
            exchange.getRequestBody().readAllBytes();
            // the first post meets a server restarting; the second is stored
            boolean first = attempts.getAndIncrement() == 0;
            if (!first) {
                stored.incrementAndGet();
            }
            exchange.sendResponseHeaders(first ? 503 : 201, -1);
            exchange.close();
        });
        server.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DeviceAgent agent = new DeviceAgent(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
                "pi",
                "token",
                new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThatThrownBy(() -> agent.run(true, 5, 1))
                .isInstanceOf(DeviceAgent.AgentException.class)
                .hasMessageContaining("(1 measurements posted)");
        // the second result was posted although the first post failed, and counted
        assertThat(attempts).hasValue(2);
        assertThat(stored).hasValue(1);
    }

    @Test
    void aModelWithTheTasksHashPassesAndAServerThatNamesNoneIsTrusted() throws Exception {
        byte[] model = {1, 2, 3};
        assertThat(DeviceAgent.verified(model, sha256(model), "/m")).isSameAs(model);
        assertThat(DeviceAgent.verified(model, sha256(model).toUpperCase(), "/m"))
                .isSameAs(model);
        assertThat(DeviceAgent.verified(model, null, "/m")).isSameAs(model);
        assertThatThrownBy(() -> DeviceAgent.verified(new byte[] {9}, sha256(model), "/m"))
                .isInstanceOf(DeviceAgent.AgentException.class)
                .hasMessageContaining("nothing of this batch was timed");
    }
}
