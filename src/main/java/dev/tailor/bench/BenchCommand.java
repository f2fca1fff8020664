package dev.tailor.bench;

import dev.tailor.CliFlags;
import dev.tailor.OneShotCommand;
import dev.tailor.StandardOutput;
import dev.tailor.TailorProperties;
import dev.tailor.Usage;
import dev.tailor.data.DatasetException;
import dev.tailor.data.DatasetFormat;
import dev.tailor.data.Datasets;
import dev.tailor.data.TrainTest;
import dev.tailor.latency.HostLatencyCalibration;
import dev.tailor.space.SearchSpace;
import dev.tailor.training.TrainingData;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * {@code tailor bench [training|schedules|latency|all]}: measures on this machine and writes Markdown and
 * CSV tables under {@code bench/results/}.
 */
@Component
@Profile("bench")
public class BenchCommand extends OneShotCommand {

    private static final List<String> FLAGS = List.of(
            "dataset",
            "out",
            "steps",
            "cpu-hours",
            "schedules",
            "state",
            "max-steps-per-epoch",
            "batch-size",
            "fit-subnets",
            "held-out-subnets",
            "runs",
            "rounds",
            "seed",
            "supernet",
            "server",
            "key",
            "budget",
            "clients",
            "seconds",
            "warm-up",
            "driver",
            "peer",
            "turns",
            "turn-steps",
            "same-thread");

    private final PrintStream out = StandardOutput.results();
    private final PrintStream err = System.err;
    private final HostLatencyCalibration calibration;
    private final SearchBench searchBench;
    private final Path home;

    BenchCommand(HostLatencyCalibration calibration, SearchBench searchBench, TailorProperties properties) {
        this.calibration = calibration;
        this.searchBench = searchBench;
        this.home = properties.home();
    }

    private static final List<String> BENCHMARKS =
            List.of("training", "schedules", "pilot-check", "latency", "search", "load", "all");

    /** The benchmark's name and the flags' own mistakes, checked before anything starts (no database). */
    public static void checkFlags(String[] args) {
        String[] rest = withoutSpringOptions(args);
        if (rest.length > 0 && !rest[0].startsWith("-")) {
            if (!BENCHMARKS.contains(rest[0])) {
                throw new IllegalArgumentException("unknown benchmark '" + rest[0] + "'");
            }
            rest = java.util.Arrays.copyOfRange(rest, 1, rest.length);
        }
        CliFlags.parse(rest, Set.copyOf(FLAGS), Set.of("same-thread"));
    }

    private static String[] withoutSpringOptions(String[] args) {
        return java.util.Arrays.stream(args)
                .filter(arg -> !CliFlags.isSpringOption(arg))
                .toArray(String[]::new);
    }

    @Override
    protected int execute(String[] args) {
        String which = "all";
        // the benchmark is the first word after any of Spring's own options (--tailor.home=...)
        String[] rest = withoutSpringOptions(args);
        if (rest.length > 0 && !rest[0].startsWith("-")) {
            which = rest[0];
            rest = java.util.Arrays.copyOfRange(rest, 1, rest.length);
            if (!BENCHMARKS.contains(which)) {
                err.println("tailor bench: unknown benchmark '" + which + "'");
                err.print(Usage.BENCH);
                return 2;
            }
        }
        Map<String, String> flags;
        try {
            flags = CliFlags.parse(rest, Set.copyOf(FLAGS), Set.of("same-thread"));
        } catch (IllegalArgumentException e) {
            err.println("tailor bench: " + e.getMessage());
            err.print(Usage.BENCH);
            return 2;
        }
        int steps;
        double cpuHours;
        List<String> schedules;
        int maxSteps;
        int batch;
        int fitSubnets;
        int heldOutSubnets;
        int runs;
        int rounds;
        int turnSteps;
        int seed;
        try {
            fitSubnets = positive(flags, "fit-subnets", 60);
            heldOutSubnets = positive(flags, "held-out-subnets", 120);
            runs = positive(flags, "runs", 200);
            steps = positive(flags, "steps", 20);
            rounds = positive(flags, "rounds", 5);
            turnSteps = positive(flags, "turn-steps", 2);
            seed = positive(flags, "seed", 1);
            cpuHours = positiveHours(flags.getOrDefault("cpu-hours", "1"));
            schedules = schedules(flags.getOrDefault("schedules", String.join(",", ScheduleComparison.SCHEDULES)));
            maxSteps = flags.containsKey("max-steps-per-epoch") ? positive(flags, "max-steps-per-epoch", 0) : 0;
            batch = positive(flags, "batch-size", 128);
        } catch (IllegalArgumentException e) {
            err.println("tailor bench: " + e.getMessage());
            return 2;
        }
        Path results = Path.of(flags.getOrDefault("out", "bench/results"));
        if (which.equals("load")) {
            return load(flags, results);
        }
        if (which.equals("search")) {
            UUID supernet;
            try {
                supernet = flags.containsKey("supernet") ? UUID.fromString(flags.get("supernet")) : null;
            } catch (IllegalArgumentException e) {
                err.println("tailor bench: --supernet: '" + flags.get("supernet") + "' is not a supernet id");
                return 2;
            }
            try {
                List<BenchReport> reports = searchBench.run(supernet, out);
                reports.get(0).write(results, "search-predictor");
                reports.get(1).write(results, "search-time");
                reports.get(2).write(results, "search-specializations");
                reports.forEach(report -> out.print(report.markdown()));
            } catch (IllegalStateException e) {
                err.println("tailor bench: " + e.getMessage());
                return 2;
            }
            out.println("bench: results in " + results.toAbsolutePath());
            return 0;
        }
        if (which.equals("latency") || which.equals("all")) {
            // latency depends on shapes only: no dataset, random weights, the 28x28x1 space
            List<BenchReport> reports = new LatencyBench(
                            calibration, SearchSpace.named(SearchSpace.FASHION_MNIST), fitSubnets, heldOutSubnets, runs)
                    .run(out);
            reports.get(0).write(results, "latency-model");
            reports.get(1).write(results, "latency-extremes");
            reports.forEach(report -> out.print(report.markdown()));
            if (which.equals("latency")) {
                out.println("bench: results in " + results.toAbsolutePath());
                return 0;
            }
        }
        TrainTest loaded;
        Path directory;
        try {
            directory = flags.containsKey("dataset")
                    ? Path.of(flags.get("dataset"))
                    : Datasets.defaultDatasetDirectory(System.getenv("TAILOR_DATASET_DIR"));
            loaded = Datasets.load(directory, DatasetFormat.AUTO);
        } catch (DatasetException e) {
            err.println("tailor bench: --dataset: " + e.getMessage());
            return 2;
        }
        String name = flags.containsKey("dataset") ? directory.getFileName().toString() : "fashion-mnist";
        TrainingData data =
                TrainingData.prepare(name, loaded, Math.min(5000, loaded.train().size() / 10), 1);
        SearchSpace space = SearchSpace.forInput(data.train().channels());
        if (which.equals("training") || which.equals("all")) {
            java.util.Optional<String> tooMany = TrainingThroughputBench.stepsThatDoNotFit(
                    rounds, steps, data.train().size());
            if (tooMany.isPresent()) {
                err.println("tailor bench: " + tooMany.get());
                return 2;
            }
            out.println("bench: training throughput (" + rounds + " rounds of " + steps
                    + " timed steps of each kind, in turns of " + turnSteps + ")");
            TorchPeer peer = new TorchPeer(Path.of(flags.getOrDefault("peer", "../shared/bench/torch_peer.py")));
            if (!flags.containsKey("peer") && !peer.available()) {
                out.println("bench: no PyTorch peer at " + peer.script() + " (run from the repository root beside"
                        + " ../shared, or give --peer FILE): the peer is skipped");
            }
            List<BenchReport> reports =
                    new TrainingThroughputBench(space, data, steps, rounds, turnSteps, peer, out).run();
            BenchReport.writeTogether(results, "training-throughput", reports, List.of("steps", "rounds"));
            reports.forEach(report -> out.print(report.markdown()));
            out.println("bench: profiling a full-model and a sandwich step");
            List<BenchReport> profile = new TrainingProfileBench(space, data, steps, 5).run(results);
            BenchReport.writeTogether(results, "training-profile", profile, List.of("parts", "kinds", "operators"));
            profile.forEach(part -> out.print(part.markdown()));
        }
        if (which.equals("pilot-check")) {
            return pilotCheck(flags, args, space, data, batch, maxSteps, results);
        }
        if (which.equals("schedules") || which.equals("all")) {
            Path state = flags.containsKey("state")
                    ? Path.of(flags.get("state"))
                    : home.resolve("bench-schedules")
                            .resolve(String.format(
                                    Locale.ROOT,
                                    "%s-%sh-b%d%s%s",
                                    name,
                                    cpuHours,
                                    batch,
                                    maxSteps > 0 ? "-s" + maxSteps : "",
                                    seed != 1 ? "-seed" + seed : ""));
            out.println("bench: schedules at " + cpuHours + " CPU-hours each; state in " + state.toAbsolutePath());
            List<ScheduleComparison.ScheduleState> states;
            try {
                states =
                        new ScheduleComparison(space, data, cpuHours, batch, maxSteps, state, seed).run(schedules, out);
            } catch (IllegalArgumentException | IllegalStateException e) {
                err.println("tailor bench: " + e.getMessage());
                return 2;
            }
            if (states.size() < schedules.size()) {
                out.println("bench: the comparison is not complete; run the same command again to continue");
                return 1;
            }
            String command = "tailor bench " + String.join(" ", args);
            List<BenchReport> tables = ScheduleTables.of(states, data, cpuHours, command.trim());
            // another seed's results go beside the first's, not over them
            String stem = seed != 1 ? "schedules-seed" + seed : "schedules";
            BenchReport.writeTogether(results, stem, tables, List.of("outcome", "epochs", "step-costs"));
            writeString(
                    results.resolve(stem + ".svg"),
                    ScheduleChart.svg(states, data.train().size()));
            tables.forEach(table -> out.print(table.markdown()));
        }
        out.println("bench: results in " + results.toAbsolutePath());
        return 0;
    }

    /** {@code bench pilot-check}: whether a pilot prices a step as a long epoch pays for it. */
    private int pilotCheck(
            Map<String, String> flags,
            String[] args,
            SearchSpace space,
            TrainingData data,
            int batch,
            int longEpochSteps,
            Path results) {
        String schedule;
        int turns;
        try {
            List<String> named = schedules(flags.getOrDefault("schedules", "sandwich"));
            if (named.size() != 1) {
                throw new IllegalArgumentException("--schedules: the pilot check takes one schedule, not " + named);
            }
            schedule = named.get(0);
            turns = positive(flags, "turns", 35);
            if (turns > PilotPriceCheck.MAX_TURNS) {
                throw new IllegalArgumentException("--turns: at most " + PilotPriceCheck.MAX_TURNS
                        + " (the pilot's epochs after its first), not " + turns);
            }
        } catch (IllegalArgumentException e) {
            err.println("tailor bench: " + e.getMessage());
            return 2;
        }
        out.printf(
                Locale.ROOT,
                "bench: pilot check of %s, %d turns of %d steps each for a pilot and a long epoch%n",
                schedule,
                turns,
                ScheduleBudget.PILOT_STEPS);
        PilotPriceCheck check = new PilotPriceCheck(space, data, schedule, batch, turns, longEpochSteps, out);
        String command = ("tailor bench " + String.join(" ", args)).trim();
        List<BenchReport> tables =
                PilotPriceCheck.tables(check.measure(flags.containsKey("same-thread")), schedule, command);
        BenchReport.writeTogether(results, "pilot-check", tables, List.of("summary", "drift"));
        tables.forEach(table -> out.print(table.markdown()));
        out.println("bench: results in " + results.toAbsolutePath());
        return 0;
    }

    private int load(Map<String, String> flags, Path results) {
        URI server;
        int clients;
        int seconds;
        int warmUp;
        try {
            server = URI.create(flags.getOrDefault("server", "http://localhost:8080/"));
            if (server.getScheme() == null || server.getHost() == null) {
                throw new IllegalArgumentException("--server: '" + server + "' is not an http URL");
            }
            clients = positive(flags, "clients", 64);
            seconds = positive(flags, "seconds", 60);
            warmUp = positive(flags, "warm-up", 15);
        } catch (IllegalArgumentException e) {
            err.println("tailor bench: " + e.getMessage());
            return 2;
        }
        String budget = flags.getOrDefault("budget", "{\"device\":\"host-cpu\",\"latencyMs\":0.2}");
        String driverName = flags.getOrDefault("driver", "wrk");
        LoadDriver driver = switch (driverName) {
            case "wrk" -> new WrkLoadDriver("wrk", server, flags.get("key"));
            case "java" -> new JavaLoadDriver(server, flags.get("key"));
            default -> null;
        };
        if (driver == null) {
            err.println("tailor bench: --driver: '" + driverName + "' is not wrk or java");
            return 2;
        }
        String command = "./tailor bench load --seconds " + seconds + " --warm-up " + warmUp + " --clients " + clients
                + " --driver " + driverName;
        try {
            BenchReport report =
                    new LoadBench(server, flags.get("key"), driver, clients, seconds, warmUp).run(budget, command, out);
            report.write(results, "load");
            out.print(report.markdown());
        } catch (IllegalStateException e) {
            err.println("tailor bench: " + e.getMessage());
            return 1;
        }
        out.println("bench: results in " + results.toAbsolutePath());
        return 0;
    }

    /** The schedules named by --schedules, in the comparison's order. */
    static List<String> schedules(String value) {
        List<String> named =
                java.util.Arrays.stream(value.split(",", -1)).map(String::trim).toList();
        for (String schedule : named) {
            if (!ScheduleComparison.SCHEDULES.contains(schedule)) {
                throw new IllegalArgumentException("--schedules: '" + schedule + "' is not one of "
                        + String.join(", ", ScheduleComparison.SCHEDULES) + " (give a comma-separated list)");
            }
        }
        if (new java.util.HashSet<>(named).size() < named.size()) {
            throw new IllegalArgumentException("--schedules: '" + value + "' names a schedule twice");
        }
        return ScheduleComparison.SCHEDULES.stream().filter(named::contains).toList();
    }

    private static double positiveHours(String value) {
        try {
            double hours = Double.parseDouble(value.trim());
            if (hours > 0 && hours <= 10_000) {
                return hours;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException("--cpu-hours: '" + value + "' is not a number of hours above 0");
    }

    private static void writeString(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static int positive(Map<String, String> flags, String flag, int fallback) {
        String value = flags.get(flag);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < 1) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + ": '" + value + "' is not a positive whole number");
        }
    }
}
