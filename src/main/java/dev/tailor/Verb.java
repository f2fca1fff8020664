package dev.tailor;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The roles the one jar can play. Each is the same application with a Spring profile of the same
 * name ({@code application-<verb>.yml}) that switches parts on or off.
 */
enum Verb {
    SERVE("serve", "REST API, Swagger UI and background workers (the default)"),
    WORKER("worker", "background workers only: no REST API, health endpoints kept for probes"),
    TRAIN("train", "train a supernet here with a progress bar and register it", true),
    CATALOGUE("catalogue", "evaluate sampled subnets of a trained supernet into its catalogue", true),
    SPECIALIZE("specialize", "tailor a subnet to a budget from the local catalogue and write its ONNX file", true),
    EXPORT("export", "write a subnet of a trained supernet as an ONNX model, checked in ONNX Runtime", true),
    AGENT("agent", "on a target device: pull measurement tasks from a server, time them, post results", true),
    BENCH(
            "bench",
            "training throughput, schedules at equal compute, latency model, search, load; tables in bench/results",
            true),
    KEYS("keys", "create, list and revoke API keys on this machine's database", true);

    private final String cliName;
    private final String summary;
    private final boolean oneShot;

    Verb(String cliName, String summary) {
        this(cliName, summary, false);
    }

    Verb(String cliName, String summary, boolean oneShot) {
        this.cliName = cliName;
        this.summary = summary;
        this.oneShot = oneShot;
    }

    /** A command that does its work and exits with a status, rather than a server. */
    boolean oneShot() {
        return oneShot;
    }

    String cliName() {
        return cliName;
    }

    String profile() {
        return cliName;
    }

    /** What {@code tailor VERB --help} prints. */
    String help() {
        return switch (this) {
            case SERVE -> Usage.SERVE;
            case WORKER -> Usage.WORKER;
            case TRAIN -> Usage.TRAIN;
            case CATALOGUE -> Usage.CATALOGUE;
            case SPECIALIZE -> Usage.SPECIALIZE;
            case EXPORT -> Usage.EXPORT;
            case AGENT -> Usage.AGENT;
            case BENCH -> Usage.BENCH;
            case KEYS -> Usage.KEYS;
        };
    }

    /**
     * Refuses the verb's flag mistakes before anything starts (no database, nothing under the home):
     * an {@link IllegalArgumentException} naming the flag. Serve and worker take Spring's options
     * only; the agent checks its own flags without a context.
     */
    void checkFlags(String[] args) {
        switch (this) {
            case TRAIN -> dev.tailor.jobs.TrainCommand.checkFlags(args);
            case CATALOGUE -> dev.tailor.jobs.CatalogueCommand.checkFlags(args);
            case SPECIALIZE -> dev.tailor.specialize.SpecializeCommand.checkFlags(args);
            case EXPORT -> dev.tailor.export.ExportCommand.checkFlags(args);
            case BENCH -> dev.tailor.bench.BenchCommand.checkFlags(args);
            case KEYS -> dev.tailor.security.KeysCommand.checkFlags(args);
            case SERVE, WORKER -> springOptionsOnly(args);
            case AGENT -> {
                // checks its own flags, without a context
            }
        }
    }

    /**
     * Serve and worker take Spring's {@code --name=value} options and nothing else. Spring itself drops
     * any other word without a sound: {@code --server.port 9090} served on 8080, and
     * {@code tailor --tailor.home=/srv train} started a service instead of training.
     */
    private void springOptionsOnly(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.startsWith("--") && arg.length() > 2) {
                continue;
            }
            String previous = i > 0 ? args[i - 1] : "";
            if (previous.startsWith("--") && !previous.contains("=")) {
                throw new IllegalArgumentException(previous + " takes its value after '=': " + previous + "=" + arg);
            }
            if (byName(arg).isPresent()) {
                throw new IllegalArgumentException(
                        "'" + arg + "' after an option: the verb comes first (tailor " + arg + " ...)");
            }
            throw new IllegalArgumentException("'" + arg + "' is not an option: " + cliName
                    + " takes Spring's options as --name=value (--server.port=9090)");
        }
    }

    static Optional<Verb> byName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(v -> v.cliName.equals(wanted)).findFirst();
    }

    static String usage() {
        StringBuilder usage = new StringBuilder("usage: tailor [verb] [--spring.property=value ...]\n\nverbs:\n");
        for (Verb verb : values()) {
            usage.append(String.format("  %-8s %s%n", verb.cliName, verb.summary));
        }
        usage.append(String.format("  %-8s %s%n", "help", "this list; tailor VERB --help: the verb's flags"));
        return usage.toString();
    }
}
