package dev.tailor.bench;

import ai.djl.pytorch.jni.JniUtils;
import dev.tailor.space.SearchSpace;
import dev.tailor.training.StepClock;
import dev.tailor.training.Trainer;
import dev.tailor.training.TrainingData;
import dev.tailor.training.TrainingListener;
import dev.tailor.training.TrainingOptions;
import dev.tailor.training.TrainingProgress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a training step's time goes: the trainer's own clock splits whole steps into data,
 * forward, backward, freeing and optimizer (timed without the profiler), then libtorch's profiler
 * traces a few more steps and splits them by operator, by kind of operator and by pass, with the
 * number of calls from Java and of allocations per step.
 */
final class TrainingProfileBench {

    private static final int BATCH = 128;
    private static final int WARMUP = 3;

    private final SearchSpace space;
    private final TrainingData data;
    private final int steps;
    private final int tracedSteps;

    TrainingProfileBench(SearchSpace space, TrainingData data, int steps, int tracedSteps) {
        this.space = space;
        this.data = data;
        this.steps = steps;
        this.tracedSteps = tracedSteps;
    }

    /** A schedule's first phase, profiled. */
    record Profile(String what, Map<StepClock.Part, Double> parts, double wallMillis, TorchTrace trace, int traced) {}

    List<BenchReport> run(Path scratch) {
        List<Profile> profiles = List.of(
                profile("full-model step (deps warm-up: largest only)", "deps", scratch),
                profile("sandwich step (largest + smallest + 2 random)", "sandwich", scratch));
        return List.of(parts(profiles), kinds(profiles), operators(profiles));
    }

    private Profile profile(String what, String schedule, Path scratch) {
        TrainingOptions options = TrainingOptions.defaults(schedule, 1)
                .withBatchSize(BATCH)
                .withLimits(data.validation().size(), 200, WARMUP + steps + tracedSteps);
        Path traceFile = scratch.resolve("trace-" + schedule + ".json");
        java.util.concurrent.atomic.AtomicReference<Map<StepClock.Part, Double>> parts =
                new java.util.concurrent.atomic.AtomicReference<>();
        long[] wall = new long[2];
        try (Trainer trainer = new Trainer(space, data, options)) {
            trainer.train(new TrainingListener() {
                @Override
                public void onProgress(TrainingProgress progress) {
                    long step = progress.globalStep();
                    if (step == WARMUP) {
                        trainer.clock().reset();
                        wall[0] = System.nanoTime();
                    } else if (step == WARMUP + steps) {
                        wall[1] = System.nanoTime();
                        parts.set(trainer.clock().millisPerStep());
                        JniUtils.startProfile(false, true, true);
                    } else if (step == WARMUP + steps + tracedSteps) {
                        JniUtils.stopProfile(traceFile.toString());
                    }
                }
            });
        }
        TorchTrace trace = TorchTrace.read(traceFile);
        try {
            Files.deleteIfExists(traceFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Profile(what, parts.get(), (wall[1] - wall[0]) / 1e6 / steps, trace, tracedSteps);
    }

    private BenchReport parts(List<Profile> profiles) {
        List<String> columns = new ArrayList<>(List.of("part of a step"));
        for (Profile profile : profiles) {
            columns.add(profile.what() + ", ms");
            columns.add("share");
        }
        BenchReport report = new BenchReport("Training step profile: where the wall time goes", columns);
        for (StepClock.Part part : StepClock.Part.values()) {
            List<Object> row = new ArrayList<>(List.of(part.label()));
            for (Profile profile : profiles) {
                double ms = profile.parts().get(part);
                row.add(ms);
                row.add(percent(ms / profile.wallMillis()));
            }
            report.row(row.toArray());
        }
        List<Object> total = new ArrayList<>(List.of("whole step (wall clock)"));
        for (Profile profile : profiles) {
            total.add(profile.wallMillis());
            total.add("100 %");
        }
        report.row(total.toArray());
        report.note(String.format(
                Locale.ROOT,
                "Batch %d at %dx%d on the real training split; %d timed steps after %d warm-up steps, timed by the"
                        + " trainer's own clock without the profiler (libtorch runs eagerly on the calling thread,"
                        + " so wall time is compute). Command: `tailor bench training`.",
                BATCH,
                space.maxResolution(),
                space.maxResolution(),
                steps,
                WARMUP));
        return report;
    }

    private BenchReport kinds(List<Profile> profiles) {
        List<String> columns = new ArrayList<>(List.of("kind of operator", "pass"));
        for (Profile profile : profiles) {
            columns.add(profile.what() + ", ms");
            columns.add("share");
        }
        BenchReport report = new BenchReport("Training step profile: libtorch self time by kind of operator", columns);
        Map<String, double[]> byKind = new LinkedHashMap<>();
        for (int p = 0; p < profiles.size(); p++) {
            for (TorchTrace.Operator op : profiles.get(p).trace().operators()) {
                byKind.computeIfAbsent(op.kind() + "\t" + op.pass(), k -> new double[profiles.size()])[p] +=
                        op.selfMillis() / profiles.get(p).traced();
            }
        }
        byKind.entrySet().stream()
                .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
                .forEach(entry -> {
                    String[] key = entry.getKey().split("\t");
                    List<Object> row = new ArrayList<>(List.of(key[0], key[1]));
                    for (int p = 0; p < profiles.size(); p++) {
                        row.add(entry.getValue()[p]);
                        row.add(percent(entry.getValue()[p]
                                * profiles.get(p).traced()
                                / profiles.get(p).trace().totalSelfMillis()));
                    }
                    report.row(row.toArray());
                });
        for (Profile profile : profiles) {
            double traced = profile.traced();
            report.note(String.format(
                    Locale.ROOT,
                    "%s: %.0f ms of operator self time per traced step (profiler on, %d steps), %.0f top-level"
                            + " libtorch calls per step (each a call from Java through JNI), %.0f tensor allocations"
                            + " (aten::empty*) and %.0f MiB allocated by operators per step.",
                    profile.what(),
                    profile.trace().totalSelfMillis() / traced,
                    profile.traced(),
                    profile.trace().topLevelCalls() / traced,
                    profile.trace().allocations() / traced,
                    profile.trace().allocatedBytes() / traced / (1024.0 * 1024.0)));
        }
        report.note("Kinds come from operator names (convolutions split by their weight's shape); \"backward\" is"
                + " everything autograd's engine ran, \"forward/other\" the rest (forward, loss, optimizer, data).");
        return report;
    }

    private BenchReport operators(List<Profile> profiles) {
        BenchReport report = new BenchReport(
                "Training step profile: the operators that take the most self time",
                List.of("step", "operator", "pass", "calls per step", "ms per step", "share"));
        for (Profile profile : profiles) {
            double total = profile.trace().totalSelfMillis();
            profile.trace().operators().stream()
                    .limit(15)
                    .forEach(op -> report.row(
                            profile.what(),
                            op.name(),
                            op.pass(),
                            (double) op.calls() / profile.traced(),
                            op.selfMillis() / profile.traced(),
                            percent(op.selfMillis() / total)));
        }
        return report;
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * fraction);
    }
}
