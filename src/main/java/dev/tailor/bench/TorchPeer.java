package dev.tailor.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PyTorch reference in {@code ../shared/bench/torch_peer.py}: the largest subnet as a static
 * eager network, timed as a training step at batch 128 on the same cores. It runs only where
 * python3 can import torch (Debian's {@code python3-torch}); otherwise the reason is reported.
 */
final class TorchPeer {

    /** What the peer printed: its torch version and threads, and its rate. */
    record Result(String description, double imagesPerSecond, double millisPerStep) {}

    private static final Pattern LINE =
            Pattern.compile("^(torch .*): ([0-9.]+) images/s \\(([0-9.]+) ms/step\\)", Pattern.MULTILINE);

    private final Path script;
    private final String python;

    TorchPeer(Path script) {
        this.script = script;
        this.python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** Whether the script is there to run (python3 and torch are checked when it runs). */
    boolean available() {
        return Files.isRegularFile(script);
    }

    Path script() {
        return script.toAbsolutePath().normalize();
    }

    /** The peer's rate with {@code threads} intra-op threads over {@code steps} timed steps, or why not. */
    Optional<Result> run(int threads, int steps, StringBuilder whyNot) {
        if (!Files.isRegularFile(script)) {
            whyNot.append("no peer script at ").append(script.toAbsolutePath().normalize());
            return Optional.empty();
        }
        try {
            Process process = new ProcessBuilder(
                            List.of(python, script.toString(), String.valueOf(threads), String.valueOf(steps)))
                    .redirectErrorStream(true)
                    .start();
            String output;
            try (var in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(30, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                whyNot.append("the peer did not finish in 30 minutes");
                return Optional.empty();
            }
            Matcher matcher = LINE.matcher(output);
            if (process.exitValue() != 0 || !matcher.find()) {
                String last = output.strip();
                last = last.substring(Math.max(0, last.lastIndexOf('\n') + 1));
                whyNot.append(python)
                        .append(" exited ")
                        .append(process.exitValue())
                        .append(": ")
                        .append(last.isEmpty() ? "no output" : last)
                        .append(" (install Debian's python3-torch to run the peer)");
                return Optional.empty();
            }
            return Optional.of(new Result(
                    matcher.group(1), Double.parseDouble(matcher.group(2)), Double.parseDouble(matcher.group(3))));
        } catch (IOException e) {
            whyNot.append("cannot start ").append(python).append(": ").append(e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            whyNot.append("interrupted");
            return Optional.empty();
        }
    }
}
