package dev.tailor.agent;

import dev.tailor.latency.LatencyMeter;
import dev.tailor.latency.LatencyStats;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code tailor agent --server URL --device NAME --token T}: runs on the target hardware, pulls
 * its device's measurement tasks (layer models for the latency table, exported subnets), times
 * each with the local ONNX Runtime as the task says (warm-up, timed runs, threads, batch) and
 * posts the result. Without {@code --once} it keeps polling; several agents may serve one device.
 */
public final class DeviceAgent {

    static final String USAGE = """
            usage: tailor agent --server URL --device NAME --token TOKEN [--once] [--max-tasks N] [--poll-seconds N]
              --token    the device's agent token (POST /api/v1/devices/NAME/agent-token issues one)
              --once     stop when the server has no task left instead of polling
            """;

    private static final Set<String> FLAGS = Set.of("server", "device", "token", "max-tasks", "poll-seconds");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI server;
    private final String device;
    private final String token;
    private final PrintStream out;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    DeviceAgent(URI server, String device, String token, PrintStream out) {
        this.server = server;
        this.device = device;
        this.token = token;
        this.out = out;
    }

    /** The verb: parses flags, runs, returns the exit status. */
    public static int main(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> flags = new LinkedHashMap<>();
        boolean once = false;
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : null;
            if ("once".equals(name)) {
                once = true;
            } else if (name != null && FLAGS.contains(name) && i + 1 < args.length) {
                flags.put(name, args[++i]);
            } else {
                err.println("tailor agent: unexpected argument '" + args[i] + "'");
                err.print(USAGE);
                return 2;
            }
        }
        for (String required : new String[] {"server", "device", "token"}) {
            if (!flags.containsKey(required)) {
                err.println("tailor agent: --" + required + " is required");
                err.print(USAGE);
                return 2;
            }
        }
        URI server;
        int maxTasks;
        int pollSeconds;
        try {
            server = URI.create(flags.get("server").replaceAll("/+$", "") + "/");
            if (server.getScheme() == null || !server.getScheme().startsWith("http")) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            err.println("tailor agent: --server: '" + flags.get("server") + "' is not an http(s) URL");
            return 2;
        }
        try {
            maxTasks = Integer.parseInt(flags.getOrDefault("max-tasks", String.valueOf(Integer.MAX_VALUE)));
            pollSeconds = Integer.parseInt(flags.getOrDefault("poll-seconds", "30"));
            if (maxTasks < 1 || pollSeconds < 1) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            err.println("tailor agent: --max-tasks and --poll-seconds take positive whole numbers");
            return 2;
        }
        try {
            int done = new DeviceAgent(server, flags.get("device"), flags.get("token"), out)
                    .run(once, maxTasks, pollSeconds);
            out.println("agent: " + done + " measurements posted");
            return 0;
        } catch (AgentException e) {
            err.println("tailor agent: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** The server refused or could not be reached; says what to fix. */
    static final class AgentException extends RuntimeException {
        AgentException(String message) {
            super(message);
        }
    }

    int run(boolean once, int maxTasks, int pollSeconds) throws InterruptedException {
        int done = 0;
        while (done < maxTasks) {
            JsonNode tasks = get("api/v1/devices/" + device + "/tasks?limit=" + Math.min(20, maxTasks - done));
            if (tasks.isEmpty()) {
                if (once) {
                    return done;
                }
                Thread.sleep(pollSeconds * 1000L);
                continue;
            }
            for (JsonNode task : tasks) {
                if (done >= maxTasks) {
                    break;
                }
                byte[] model = download(task.get("modelUrl").asString());
                LatencyStats stats = LatencyMeter.builder()
                        .optWarmupRuns(task.get("warmupRuns").asInt())
                        .optTimedRuns(task.get("timedRuns").asInt())
                        .optThreads(task.get("threads").asInt())
                        .optBatchSize(task.get("batchSize").asInt())
                        .build()
                        .measure(model);
                Map<String, Object> result = new LinkedHashMap<>();
                if ("layer".equals(task.get("kind").asString())) {
                    result.put("layerKey", task.get("layerKey").asString());
                } else {
                    result.put("subnetId", task.get("subnetId").asLong());
                }
                result.put("batchSize", stats.batchSize());
                result.put("resolution", task.get("resolution").asInt());
                result.put("p50Ms", stats.p50Ms());
                result.put("p90Ms", stats.p90Ms());
                result.put("meanMs", stats.meanMs());
                result.put("stdMs", stats.stdMs());
                result.put("runs", stats.runs());
                result.put("threads", stats.threads());
                result.put("runtimeVersion", stats.runtimeVersion());
                post("api/v1/devices/" + device + "/measurements", JSON.writeValueAsString(result));
                done++;
                out.printf(
                        Locale.ROOT, "agent: %s p50 %.4f ms%n", task.get("id").asString(), stats.p50Ms());
            }
        }
        return done;
    }

    private JsonNode get(String path) {
        HttpResponse<String> response = send(request(path).GET().build());
        return JSON.readTree(response.body());
    }

    private byte[] download(String path) {
        try {
            HttpResponse<byte[]> response = http.send(
                    request(path.startsWith("/") ? path.substring(1) : path)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new AgentException("GET " + path + " answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new AgentException("cannot reach " + server + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("interrupted");
        }
    }

    private void post(String path, String json) {
        send(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(server.resolve(path))
                .timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                String detail = response.body();
                try {
                    detail = JSON.readTree(response.body()).path("detail").asString(detail);
                } catch (RuntimeException notJson) {
                    // keep the raw body
                }
                throw new AgentException(request.method() + " " + request.uri().getPath() + " answered "
                        + response.statusCode() + ": " + detail);
            }
            return response;
        } catch (IOException e) {
            throw new AgentException("cannot reach " + server + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("interrupted");
        }
    }
}
