package dev.tailor.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Drives a running service on loopback: a closed model of {@code clients} clients, each sending its
 * next request when the last answer has come back, for {@code seconds} per scenario (cached
 * specializations, catalogue listings, artifact downloads). Latency from send to the last byte of
 * the body, in an HdrHistogram; anything but the expected status is an error. The driver shares the
 * machine with the service, so the figures are of both together.
 */
final class LoadBench {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI server;
    private final String key;
    private final int clients;
    private final int seconds;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    LoadBench(URI server, String key, int clients, int seconds) {
        this.server = server;
        this.key = key;
        this.clients = clients;
        this.seconds = seconds;
    }

    private record Scenario(String name, Supplier<HttpRequest> request, int expected) {}

    private record Result(Scenario scenario, long requests, long errors, double seconds, Histogram latency) {}

    BenchReport run(String budget, PrintStream out) {
        JsonNode specialization = send(post("/api/v1/specializations", budget), 2);
        String supernet = specialization.path("supernetId").asString();
        String artifact = specialization.path("artifact").path("sha256").asString();
        if (supernet.isEmpty() || artifact.isEmpty()) {
            throw new IllegalStateException(
                    "the service answered the budget without a supernet or artifact: " + specialization);
        }
        List<Scenario> scenarios = List.of(
                new Scenario("cached specialization (POST, JSON)", () -> post("/api/v1/specializations", budget), 200),
                new Scenario(
                        "catalogue listing (20 subnets with latency)",
                        () -> get("/api/v1/supernets/" + supernet + "/subnets?size=20&device=host-cpu&sort=-accuracy"),
                        200),
                new Scenario("artifact download (ONNX model)", () -> get("/api/v1/artifacts/" + artifact), 200));
        BenchReport report = new BenchReport(
                "Load: " + clients + " clients, " + seconds + " s per scenario, loopback",
                List.of(
                        "scenario",
                        "requests",
                        "errors",
                        "requests/s",
                        "p50 ms",
                        "p90 ms",
                        "p99 ms",
                        "p99.9 ms",
                        "max ms"));
        for (Scenario scenario : scenarios) {
            out.printf(Locale.ROOT, "bench load: %s, %d clients for %d s%n", scenario.name(), clients, seconds);
            drive(scenario, 3);
            Result result = drive(scenario, seconds);
            Histogram h = result.latency();
            report.row(
                    scenario.name(),
                    result.requests(),
                    result.errors(),
                    result.requests() / result.seconds(),
                    h.getValueAtPercentile(50) / 1e3,
                    h.getValueAtPercentile(90) / 1e3,
                    h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3,
                    h.getMaxValue() / 1e3);
        }
        report.note("Closed model: " + clients + " clients on one HttpClient (HTTP/1.1, one connection each),"
                + " each sending its next request when the last answer is read; 3 s of warm-up per scenario are"
                + " not counted. Latency from send to the last byte of the body (read and dropped). The driver runs on the same machine as the"
                + " service. Budget: `" + budget + "`" + (key == null ? ", no key (reads open)" : ", with a key")
                + ". Command: `./tailor bench load --seconds " + seconds + " --clients " + clients + "`.");
        return report;
    }

    private Result drive(Scenario scenario, int forSeconds) {
        Recorder recorder = new Recorder(3);
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long end = System.nanoTime() + forSeconds * 1_000_000_000L;
        CountDownLatch done = new CountDownLatch(clients);
        List<Thread> threads = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            Thread thread = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        long sent = System.nanoTime();
                        boolean ok;
                        try {
                            // the whole body is read, and dropped as it comes: the driver keeps no copies
                            HttpResponse<Void> response =
                                    http.send(scenario.request().get(), HttpResponse.BodyHandlers.discarding());
                            ok = response.statusCode() == scenario.expected();
                        } catch (IOException e) {
                            ok = false;
                        }
                        recorder.recordValue(Math.max(1, (System.nanoTime() - sent) / 1_000));
                        requests.incrementAndGet();
                        if (!ok) {
                            errors.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
            thread.start();
            threads.add(thread);
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        return new Result(scenario, requests.get(), errors.get(), elapsed, recorder.getIntervalHistogram());
    }

    private HttpRequest get(String path) {
        return builder(path).GET().build();
    }

    private HttpRequest post(String path, String json) {
        return builder(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
    }

    private HttpRequest.Builder builder(String path) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(server.resolve(path)).timeout(Duration.ofSeconds(30));
        if (key != null) {
            builder.header("Authorization", "Bearer " + key);
        }
        return builder;
    }

    /** A set-up request; {@code family} is the status class expected (2 for 2xx). */
    private JsonNode send(HttpRequest request, int family) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != family) {
                throw new IllegalStateException(request.method() + " " + request.uri() + " answered "
                        + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach " + server + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
