package dev.tailor.agent;

import dev.tailor.CliFlags;
import dev.tailor.ProcessShutdown;
import dev.tailor.Usage;
import dev.tailor.catalogue.ExecutionProvider;
import dev.tailor.latency.LatencyMeter;
import dev.tailor.latency.LatencyStats;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code tailor agent --server URL --device NAME --token T}: runs on the target hardware, pulls
 * its device's measurement tasks (layer models for the latency table, exported subnets), times
 * each batch with the local ONNX Runtime as the tasks say (warm-up, timed runs, threads, batch),
 * interleaved, and posts the results. Without {@code --once} it keeps polling; several agents may
 * serve one device. An unreachable or busy server (5xx, 429, 408, 409) is tried again after a growing wait (2
 * s, doubling, at most 60 s); a refusal (a bad token, an unknown device) ends the agent.
 */
public final class DeviceAgent {

    private static final Set<String> FLAGS = Set.of("server", "device", "token", "max-tasks", "poll-seconds", "once");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI server;
    private final String device;
    private final String token;
    private final PrintStream out;
    /** Measurements this agent posted, batches cut short included. */
    private int posted;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    DeviceAgent(URI server, String device, String token, PrintStream out) {
        this.server = server;
        this.device = device;
        this.token = token;
        this.out = out;
    }

    /** Where the key may come from instead of {@code --token}: a process's arguments are world-readable. */
    static final String KEY_VARIABLE = "TAILOR_AGENT_KEY";

    /** The problem type of a timing posted for a task the device no longer holds a lease on. */
    static final String TASK_NOT_LEASED = "urn:tailor:problem:task-not-leased";

    /** A device's name as the server takes it at registration. */
    static final String DEVICE_NAME = "^[a-z0-9][a-z0-9._-]{0,63}$";

    /** The verb: parses flags, runs, returns the exit status. */
    public static int main(String[] args, PrintStream out, PrintStream err) {
        return main(args, out, err, System.getenv());
    }

    static int main(String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
        Map<String, String> flags;
        try {
            flags = CliFlags.parse(args, FLAGS, Set.of("once"));
        } catch (IllegalArgumentException e) {
            err.println("tailor agent: " + e.getMessage());
            err.print(Usage.AGENT);
            return 2;
        }
        boolean once = flags.containsKey("once");
        String fromEnvironment = environment.get(KEY_VARIABLE);
        if (!flags.containsKey("token") && fromEnvironment != null && !fromEnvironment.isBlank()) {
            // any user of the machine reads --token in ps or /proc/PID/cmdline; the environment stays the owner's
            flags = new java.util.HashMap<>(flags);
            flags.put("token", fromEnvironment.trim());
        }
        for (String required : new String[] {"server", "device", "token"}) {
            if (!flags.containsKey(required)) {
                err.println("tailor agent: --" + required + " is required"
                        + ("token".equals(required) ? " (or the key in " + KEY_VARIABLE + ")" : ""));
                err.print(Usage.AGENT);
                return 2;
            }
        }
        URI server;
        int maxTasks;
        int pollSeconds;
        try {
            server = URI.create(flags.get("server").replaceAll("/+$", "") + "/");
            // "http://", "http:/x" and "httpx://h" passed a prefix check, and every request then failed to be
            // built: the agent retried that for good, --once included
            if (server.getScheme() == null
                    || !(server.getScheme().equalsIgnoreCase("http")
                            || server.getScheme().equalsIgnoreCase("https"))
                    || server.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            err.println("tailor agent: --server: '" + flags.get("server") + "' is not an http(s) URL");
            return 2;
        }
        if (!flags.get("device").matches(DEVICE_NAME)) {
            // as the server names devices; any other name cannot be a path of its API
            err.println("tailor agent: --device: '" + flags.get("device") + "' is not a device name (lower-case"
                    + " letters, digits, '.', '_' and '-', at most 64, as the device was registered)");
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
        private final boolean retryable;
        private final long retryAfterSeconds;
        private final String problemType;

        AgentException(String message) {
            this(message, false);
        }

        AgentException(String message, boolean retryable) {
            this(message, retryable, 0);
        }

        AgentException(String message, boolean retryable, long retryAfterSeconds) {
            this(message, retryable, retryAfterSeconds, null);
        }

        AgentException(String message, boolean retryable, long retryAfterSeconds, String problemType) {
            super(message);
            this.retryable = retryable;
            this.retryAfterSeconds = retryAfterSeconds;
            this.problemType = problemType;
        }

        /** The server's answer was a timing of a task no longer leased to this device: nothing to try again. */
        boolean taskNotLeased() {
            return TASK_NOT_LEASED.equals(problemType);
        }

        /** What the server asked for in Retry-After; 0 when it did not. */
        long retryAfterSeconds() {
            return retryAfterSeconds;
        }

        /** The server was unreachable or busy (5xx, 429): worth trying again later, unlike a refusal. */
        boolean retryable() {
            return retryable;
        }
    }

    /** The longest wait between tries when the server is unreachable or busy. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    /** Rounds the timed runs of one batch of tasks are spread over, as host-cpu's calibration does. */
    static final int ROUNDS = 10;

    int run(boolean once, int maxTasks, int pollSeconds) throws InterruptedException {
        int done = 0;
        int failures = 0;
        String lastFailure = null;
        // a batch leased to this agent was not posted: its tasks are hidden from later pulls for 10 minutes,
        // so a --once run that ends reports it, whatever later batches did
        boolean leasedUnposted = false;
        boolean inBatch = false;
        // a stop (SIGTERM, Ctrl-C) ends the loop once the batch under way is posted
        while (done < maxTasks && !ProcessShutdown.started()) {
            try {
                JsonNode tasks = get("api/v1/devices/" + device + "/tasks?limit=" + Math.min(20, maxTasks - done));
                if (tasks.isEmpty()) {
                    if (once && leasedUnposted) {
                        // the server hides tasks this agent leased: an empty list does not mean all were measured
                        throw unmeasured(lastFailure, done);
                    }
                    failures = 0;
                    if (once) {
                        return done;
                    }
                    pause(pollSeconds);
                    continue;
                }
                inBatch = true;
                List<JsonNode> batch = new ArrayList<>();
                tasks.forEach(task -> {
                    if (batch.size() < 20) {
                        batch.add(task);
                    }
                });
                measure(batch.subList(0, Math.min(batch.size(), maxTasks - done)));
                inBatch = false;
                done = posted;
                // only a batch posted ends a run of failures: a pull that succeeds while every download or post
                // fails kept the wait at 2 s, each retry leasing the device's next batch
                failures = 0;
            } catch (RuntimeException e) {
                // what a batch cut short posted still counts
                done = posted;
                if (e instanceof AgentException refused && !refused.retryable()) {
                    throw refused;
                }
                leasedUnposted |= inBatch;
                inBatch = false;
                // ONNX Runtime failing on a model, a body that is not JSON (a proxy's page): this batch is
                // given up, its leases lapse, and the agent goes on instead of ending with a stack trace
                failures++;
                lastFailure = e instanceof AgentException ? e.getMessage() : e.toString();
                long wait = Math.max(
                        Math.min(MAX_BACKOFF.toSeconds(), 1L << Math.min(failures, 6)),
                        e instanceof AgentException busy ? busy.retryAfterSeconds() : 0);
                out.printf(
                        Locale.ROOT,
                        "agent: %s; trying again in %d s%n",
                        e instanceof AgentException ? e.getMessage() : e.toString(),
                        wait);
                pause(wait);
            }
        }
        if (once && leasedUnposted) {
            // --max-tasks reached after a batch failed: that batch is still unmeasured
            throw unmeasured(lastFailure, done);
        }
        return done;
    }

    private static AgentException unmeasured(String lastFailure, int done) {
        return new AgentException("a batch was not measured (" + lastFailure + "); its tasks stay leased to this"
                + " device for 10 minutes, after which the agent run again takes them up (" + done
                + " measurements posted)");
    }

    /** Waits, in short steps so that a stop is not kept waiting. */
    private static void pause(long seconds) throws InterruptedException {
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < until && !ProcessShutdown.started()) {
            Thread.sleep(Math.min(200, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
        }
    }

    /**
     * Times one batch of tasks: those with the same settings together, in one interleaved pass
     * (all sessions open, the timed runs spread over {@value #ROUNDS} rounds), as host-cpu's latency
     * model is timed, so that a device whose speed drifts slows every model of the batch alike.
     */
    private void measure(List<JsonNode> batch) {
        Map<String, List<JsonNode>> bySettings = new LinkedHashMap<>();
        for (JsonNode task : batch) {
            String settings = provider(task).wireName() + "/"
                    + task.get("warmupRuns").asInt() + "/"
                    + task.get("timedRuns").asInt() + "/" + task.get("threads").asInt() + "/"
                    + task.get("batchSize").asInt();
            bySettings.computeIfAbsent(settings, key -> new ArrayList<>()).add(task);
        }
        AgentException notPosted = null;
        for (List<JsonNode> same : bySettings.values()) {
            JsonNode first = same.get(0);
            LatencyMeter.Builder meter;
            try {
                meter = LatencyMeter.builder().optExecutionProvider(provider(first));
            } catch (LatencyMeter.UnsupportedProviderException e) {
                throw new AgentException(e.getMessage() + "; nothing was posted for device " + device);
            }
            List<byte[]> models = new ArrayList<>();
            for (JsonNode task : same) {
                JsonNode sha256 = task.get("modelSha256");
                models.add(verified(
                        download(task.get("modelUrl").asString()),
                        sha256 == null || sha256.isNull() ? null : sha256.asString(),
                        task.get("modelUrl").asString()));
            }
            int timedRuns = first.get("timedRuns").asInt();
            List<LatencyStats> timed = meter.optWarmupRuns(
                            first.get("warmupRuns").asInt())
                    .optTimedRuns(timedRuns)
                    .optThreads(first.get("threads").asInt())
                    .optBatchSize(first.get("batchSize").asInt())
                    .build()
                    .measureInterleaved(models, Math.max(1, Math.min(ROUNDS, timedRuns)));
            for (int i = 0; i < same.size(); i++) {
                try {
                    post(same.get(i), timed.get(i), provider(first));
                    posted++;
                } catch (AgentException e) {
                    if (e.taskNotLeased()) {
                        // another agent of the device took the task after this one's lease lapsed, and posted it
                        out.printf(
                                Locale.ROOT,
                                "agent: %s skipped: the server has it measured already%n",
                                same.get(i).get("id").asString());
                        continue;
                    }
                    if (!e.retryable()) {
                        throw e;
                    }
                    // the rest are timed already: post them; this one's lease lapses and it is timed again
                    if (notPosted == null) {
                        notPosted = e;
                    }
                }
            }
        }
        if (notPosted != null) {
            throw notPosted;
        }
    }

    /** The execution provider the task's device runs models with (cpu from servers that do not say). */
    private static ExecutionProvider provider(JsonNode task) {
        JsonNode provider = task.get("executionProvider");
        return provider == null || provider.isNull()
                ? ExecutionProvider.CPU
                : ExecutionProvider.fromWire(provider.asString());
    }

    private void post(JsonNode task, LatencyStats stats, ExecutionProvider provider) {
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
        result.put("executionProvider", provider.wireName());
        post("api/v1/devices/" + device + "/measurements", JSON.writeValueAsString(result));
        out.printf(Locale.ROOT, "agent: %s p50 %.4f ms%n", task.get("id").asString(), stats.p50Ms());
    }

    private JsonNode get(String path) {
        HttpResponse<String> response = send(request(path).GET().build());
        return JSON.readTree(response.body());
    }

    /**
     * The model as the task names it: a file that arrives with another SHA-256 (cut off, or changed
     * on a plain-HTTP way) is not timed, so no latency is posted for a model nobody asked about.
     * Worth trying again later, as an unreachable server is.
     */
    static byte[] verified(byte[] model, String expectedSha256, String path) {
        if (expectedSha256 == null) {
            return model;
        }
        String found;
        try {
            found = java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(model));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        if (!found.equalsIgnoreCase(expectedSha256)) {
            throw new AgentException(
                    "GET " + path + " gave " + model.length + " bytes with SHA-256 " + found + ", not the task's "
                            + expectedSha256 + "; nothing of this batch was timed",
                    true);
        }
        return model;
    }

    private byte[] download(String path) {
        try {
            HttpResponse<byte[]> response = http.send(
                    request(path.startsWith("/") ? path.substring(1) : path)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new AgentException(
                        "GET " + path + " answered " + response.statusCode(), busy(response.statusCode()));
            }
            return response.body();
        } catch (IOException e) {
            throw new AgentException("cannot reach " + server + ": " + e.getMessage(), true);
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
                String type = null;
                try {
                    JsonNode problem = JSON.readTree(response.body());
                    detail = problem.path("detail").asString(detail);
                    type = problem.path("type").asString(null);
                } catch (RuntimeException notJson) {
                    // keep the raw body
                }
                throw new AgentException(
                        request.method() + " " + request.uri().getPath() + " answered " + response.statusCode() + ": "
                                + detail,
                        busy(response.statusCode()) && !TASK_NOT_LEASED.equals(type),
                        retryAfterSeconds(response),
                        type);
            }
            return response;
        } catch (IOException e) {
            throw new AgentException("cannot reach " + server + ": " + e.getMessage(), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("interrupted");
        }
    }

    /**
     * Worth trying again: the server is away or busy (5xx, 429), the request timed out there (408), or
     * it met a write of the same data at the same moment (409, whose body says "read it and retry").
     */
    static boolean busy(int status) {
        return status >= 500 || status == 429 || status == 408 || status == 409;
    }

    /** The wait a busy server asks for (Retry-After in seconds), at most {@link #MAX_BACKOFF}; 0 when none. */
    static long retryAfterSeconds(HttpResponse<?> response) {
        return response.headers()
                .firstValue("Retry-After")
                .map(String::trim)
                .filter(value -> value.matches("\\d{1,9}"))
                .map(Long::parseLong)
                .map(seconds -> Math.min(seconds, MAX_BACKOFF.toSeconds()))
                .orElse(0L);
    }
}
