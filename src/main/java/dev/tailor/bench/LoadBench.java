package dev.tailor.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Drives a running service on loopback with a {@link LoadDriver}: {@code clients} clients for
 * {@code seconds} per scenario (cached specializations, catalogue listings, artifact downloads),
 * after 3 s of warm-up each that are not counted. The driver shares the machine with the service,
 * so the figures are of both together.
 */
final class LoadBench {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI server;
    private final String key;
    private final LoadDriver driver;
    private final int clients;
    private final int seconds;
    private final int warmUpSeconds;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    LoadBench(URI server, String key, LoadDriver driver, int clients, int seconds, int warmUpSeconds) {
        this.server = server;
        this.key = key;
        this.driver = driver;
        this.clients = clients;
        this.seconds = seconds;
        this.warmUpSeconds = warmUpSeconds;
    }

    BenchReport run(String budget, String command, PrintStream out) {
        JsonNode specialization = send(budget);
        String supernet = specialization.path("supernetId").asString();
        String artifact = specialization.path("artifact").path("sha256").asString();
        if (supernet.isEmpty() || artifact.isEmpty()) {
            throw new IllegalStateException(
                    "the service answered the budget without a supernet or artifact: " + specialization);
        }
        List<LoadScenario> scenarios = List.of(
                LoadScenario.postJson("cached specialization (POST, JSON)", "/api/v1/specializations", budget),
                LoadScenario.get(
                        "catalogue listing (20 subnets with latency)",
                        "/api/v1/supernets/" + supernet + "/subnets?size=20&device=host-cpu&sort=-accuracy"),
                LoadScenario.get("artifact download (ONNX model)", "/api/v1/artifacts/" + artifact));
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
        for (LoadScenario scenario : scenarios) {
            out.printf(Locale.ROOT, "bench load: %s, %d clients for %d s%n", scenario.name(), clients, seconds);
            check(scenario);
            driver.drive(scenario, clients, warmUpSeconds);
            LoadResult result = driver.drive(scenario, clients, seconds);
            report.row(
                    scenario.name(),
                    result.requests(),
                    result.errors(),
                    result.requestsPerSecond(),
                    result.p50(),
                    result.p90(),
                    result.p99(),
                    result.p999(),
                    result.max());
        }
        report.note(driver.description(clients) + " " + warmUpSeconds + " s of warm-up per scenario are not"
                + " counted. The driver runs"
                + " on the same machine as the service. Budget: `" + budget + "`"
                + (key == null ? ", no key (reads open)" : ", with a key") + ". Command: `" + command + "`.");
        return report;
    }

    /** One request of the scenario, which must answer exactly its expected status. */
    void check(LoadScenario scenario) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(server.resolve(scenario.path())).timeout(Duration.ofMinutes(1));
        if (scenario.body() != null) {
            builder.header("Content-Type", "application/json")
                    .method(scenario.method(), HttpRequest.BodyPublishers.ofString(scenario.body()));
        } else {
            builder.method(scenario.method(), HttpRequest.BodyPublishers.noBody());
        }
        if (key != null) {
            builder.header("Authorization", "Bearer " + key);
        }
        HttpRequest request = builder.build();
        try {
            int status =
                    http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != scenario.expected()) {
                throw new IllegalStateException(scenario.name() + ": " + request.method() + " " + request.uri()
                        + " answered " + status + ", not " + scenario.expected());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach " + server + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The budget's specialization, asked once before the timed runs (a 2xx is expected). */
    private JsonNode send(String budget) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(server.resolve("/api/v1/specializations"))
                .timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(budget));
        if (key != null) {
            builder.header("Authorization", "Bearer " + key);
        }
        HttpRequest request = builder.build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
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
