package dev.tailor.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Loads the service with wrk (Debian's {@code wrk}), one event-loop thread for all connections, so
 * that on a two-core machine the driver takes far less of the service's CPU than a thread per client
 * would. A Lua script sets the request and prints wrk's counts and latency percentiles on one line that
 * {@link #parse} reads. It defines no {@code response} hook: with one, wrk buffers every body and hands
 * it to Lua, and on a 2.9 MB model that made wrk itself the bottleneck (74 downloads/s against 345
 * without the hook, 2026-12-03); so statuses are counted by wrk (every status from 400 up), and
 * {@link LoadBench} checks each scenario's exact status once before it is driven. Like the Java driver
 * it is a closed model: each connection sends its next request when the last answer is read.
 */
final class WrkLoadDriver implements LoadDriver {

    static final String RESULT_LINE = "tailor-load";

    private final String executable;
    private final URI server;
    private final String key;

    WrkLoadDriver(String executable, URI server, String key) {
        this.executable = executable;
        this.server = server;
        this.key = key;
    }

    @Override
    public String description(int clients) {
        return "Closed model driven by wrk 4 (`wrk -t1 -c" + clients + "`, one event-loop thread, HTTP/1.1"
                + " keep-alive, one connection per client), each connection sending its next request when the"
                + " last answer is read; latency from send to the whole response, wrk's percentiles; an error is"
                + " a status of 400 or more or a socket error (connect, read, write, timeout), and each"
                + " scenario's exact status is checked once before it is driven.";
    }

    @Override
    public LoadResult drive(LoadScenario scenario, int clients, int seconds) {
        Path script = null;
        try {
            script = Files.createTempFile("tailor-load-", ".lua");
            Files.writeString(script, script(scenario, key), StandardCharsets.UTF_8);
            List<String> command = List.of(
                    executable,
                    "-t1",
                    "-c" + clients,
                    "-d" + seconds + "s",
                    "--timeout",
                    "30s",
                    "-s",
                    script.toString(),
                    server.resolve(scenario.path()).toString());
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("wrk did not finish within " + (seconds + 60) + " s");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("wrk exited with " + process.exitValue() + ": " + text.strip());
            }
            return parse(text);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot run '" + executable + "' (" + e.getMessage()
                            + "); install it (apt-get install wrk) or use --driver java",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while wrk ran", e);
        } finally {
            if (script != null) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException e) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    /** The Lua script for one scenario: the request, a status counter per thread, and the result line. */
    static String script(LoadScenario scenario, String key) {
        StringBuilder lua = new StringBuilder();
        lua.append("wrk.method = ").append(luaString(scenario.method())).append('\n');
        if (scenario.body() != null) {
            lua.append("wrk.body = ").append(luaString(scenario.body())).append('\n');
            lua.append("wrk.headers[\"Content-Type\"] = \"application/json\"\n");
        }
        if (key != null) {
            lua.append("wrk.headers[\"Authorization\"] = ")
                    .append(luaString("Bearer " + key))
                    .append('\n');
        }
        lua.append("""
                function done(summary, latency, requests)
                  local e = summary.errors
                  io.write(string.format("%s requests=%%.0f duration_us=%%.0f unexpected=%%.0f socket_errors=%%.0f"
                    .. " p50_us=%%.1f p90_us=%%.1f p99_us=%%.1f p999_us=%%.1f max_us=%%.1f\\n",
                    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
                    latency:percentile(50), latency:percentile(90), latency:percentile(99),
                    latency:percentile(99.9), latency.max))
                end
                """.formatted(RESULT_LINE));
        return lua.toString();
    }

    /** Reads the script's result line out of wrk's output. */
    static LoadResult parse(String output) {
        String line = output.lines()
                .filter(l -> l.startsWith(RESULT_LINE + " "))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("wrk printed no result line: " + output.strip()));
        Map<String, Double> values = new HashMap<>();
        for (String field : line.substring(RESULT_LINE.length() + 1).trim().split("\\s+")) {
            int equals = field.indexOf('=');
            if (equals < 1) {
                throw new IllegalStateException("wrk's result line has a field without a value: " + line);
            }
            values.put(field.substring(0, equals), Double.parseDouble(field.substring(equals + 1)));
        }
        double seconds = value(values, "duration_us", line) / 1e6;
        return new LoadResult(
                (long) value(values, "requests", line),
                (long) (value(values, "unexpected", line) + value(values, "socket_errors", line)),
                seconds,
                value(values, "p50_us", line) / 1e3,
                value(values, "p90_us", line) / 1e3,
                value(values, "p99_us", line) / 1e3,
                value(values, "p999_us", line) / 1e3,
                value(values, "max_us", line) / 1e3);
    }

    private static double value(Map<String, Double> values, String name, String line) {
        Double value = values.get(name);
        if (value == null) {
            throw new IllegalStateException("wrk's result line has no " + name + ": " + line);
        }
        return value;
    }

    /** A double-quoted Lua string literal: backslashes, quotes and control characters escaped. */
    static String luaString(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '\\' || c == '"') {
                quoted.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                quoted.append('\\').append(String.format("%03d", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
