package dev.tailor.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch reference in {@code ../shared/bench/torch_peer.py}: the largest subnet as a static
 * eager network, timed as a training step at batch 128 on the same cores. It runs only where
 * python3 can import torch (Debian's {@code python3-torch}); otherwise the reason is reported.
 *
 * <p>The script times a run of steps and exits, so it cannot take turns with Tailor's steps; a
 * driver shipped in the jar ({@code torch_peer_steps.py}) builds the script's own network and
 * repeats its step, a few steps at a time on request, in one long-lived process.
 */
final class TorchPeer {

    static final String DRIVER = "torch_peer_steps.py";

    private final Path script;
    private final List<String> python;

    TorchPeer(Path script) {
        this(script, List.of(Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3"));
    }

    /** With another interpreter command (tests give one that speaks the driver's protocol). */
    TorchPeer(Path script, List<String> python) {
        this.script = script;
        this.python = List.copyOf(python);
    }

    /** Whether the script is there to run (python3 and torch are checked when it runs). */
    boolean available() {
        return Files.isRegularFile(script);
    }

    Path script() {
        return script.toAbsolutePath().normalize();
    }

    /**
     * The peer's steps with {@code threads} intra-op threads, warmed up and ready to take turns, or
     * why not (appended to {@code whyNot}).
     */
    Optional<Steps> start(int threads, StringBuilder whyNot) {
        if (!Files.isRegularFile(script)) {
            whyNot.append("no peer script at ").append(script());
            return Optional.empty();
        }
        Path driver;
        try {
            driver = Files.createTempFile("tailor-", "-" + DRIVER);
            try (InputStream in = TorchPeer.class.getResourceAsStream(DRIVER)) {
                if (in == null) {
                    throw new IOException(DRIVER + " is missing from the jar");
                }
                Files.write(driver, in.readAllBytes());
            }
            driver.toFile().deleteOnExit();
        } catch (IOException e) {
            whyNot.append("cannot write the peer's driver: ").append(e.getMessage());
            return Optional.empty();
        }
        List<String> command = new ArrayList<>(python);
        command.addAll(List.of(driver.toString(), script().toString(), String.valueOf(threads)));
        Process process;
        Path errors;
        try {
            // apart from the answers, so that a warning cannot be read as one
            errors = Files.createTempFile("tailor-", "-peer-errors.txt");
            errors.toFile().deleteOnExit();
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.to(errors.toFile()))
                    .start();
        } catch (IOException e) {
            whyNot.append("cannot start ").append(python.get(0)).append(": ").append(e.getMessage());
            return Optional.empty();
        }
        Steps steps = new Steps(process, driver, errors);
        Optional<String> ready = steps.awaitReady();
        if (ready.isEmpty()) {
            try {
                // its error stream is complete once it has exited
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            whyNot.append(python.get(0))
                    .append(" ended before the peer was ready: ")
                    .append(steps.lastOutput())
                    .append(" (install Debian's python3-torch to run the peer)");
            steps.close();
            return Optional.empty();
        }
        return Optional.of(steps);
    }

    /** The peer's process: a turn writes a step count and reads back the seconds they took. */
    static final class Steps implements StepTurns {

        private final Process process;
        private final Path driver;
        private final Path errors;
        private final BufferedReader out;
        private final Writer in;
        private String description = "";
        private String lastOutput = "no output";

        private Steps(Process process, Path driver, Path errors) {
            this.process = process;
            this.driver = driver;
            this.errors = errors;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        /** The torch version, threads and parameter count the driver reported when ready. */
        String description() {
            return description;
        }

        /** The last line the process wrote to its error stream, else to its output. */
        private String lastOutput() {
            try {
                List<String> lines = Files.readAllLines(errors, StandardCharsets.UTF_8).stream()
                        .filter(line -> !line.isBlank())
                        .toList();
                if (!lines.isEmpty()) {
                    return lines.get(lines.size() - 1).strip();
                }
            } catch (IOException ignored) {
                // fall back to its output
            }
            return lastOutput;
        }

        /** Reads up to the driver's ready line (whatever python printed before it is kept for errors). */
        private Optional<String> awaitReady() {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("ready ")) {
                        description = line.substring("ready ".length()).strip();
                        return Optional.of(description);
                    }
                    if (!line.isBlank()) {
                        lastOutput = line.strip();
                    }
                }
            } catch (IOException e) {
                lastOutput = e.getMessage();
            }
            return Optional.empty();
        }

        @Override
        public double run(int steps) {
            if (steps < 1) {
                throw new IllegalArgumentException("a turn takes at least one step; got " + steps);
            }
            String line;
            try {
                in.write(steps + "\n");
                in.flush();
                line = out.readLine();
            } catch (IOException e) {
                throw new IllegalStateException("the peer's process went away: " + e.getMessage(), e);
            }
            if (line == null) {
                throw new IllegalStateException("the peer's process ended: " + lastOutput());
            }
            try {
                double seconds = Double.parseDouble(line.strip());
                if (!(seconds > 0) || Double.isInfinite(seconds)) {
                    throw new NumberFormatException("not a positive time");
                }
                return seconds;
            } catch (NumberFormatException e) {
                throw new IllegalStateException("the peer answered '" + line.strip() + "' instead of seconds");
            }
        }

        @Override
        public void close() {
            try {
                in.write("\n");
                in.close();
            } catch (IOException ignored) {
                // the process is already gone
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            try {
                Files.deleteIfExists(driver);
                Files.deleteIfExists(errors);
            } catch (IOException ignored) {
                // deleted on exit instead
            }
        }
    }
}
