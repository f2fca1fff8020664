package dev.tailor.bench;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.sun.management.OperatingSystemMXBean;
import dev.tailor.ProcessShutdown;
import dev.tailor.jobs.ConsoleProgress;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.training.Checkpoint;
import dev.tailor.training.SubnetAccuracy;
import dev.tailor.training.Trainer;
import dev.tailor.training.TrainingData;
import dev.tailor.training.TrainingListener;
import dev.tailor.training.TrainingOptions;
import dev.tailor.training.TrainingProgress;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The schedules at the same CPU-hour budget: each gets the epochs that fill the budget at its
 * own measured step costs ({@link ScheduleBudget}), and after every epoch the probe set (smallest,
 * largest, 8 seeded random subnets) is BN-recalibrated and scored on the validation split. The
 * test split is scored once, at the end, and only reported: the comparison is read on validation.
 *
 * <p>A comparison can take longer than one sitting, so it keeps its state in a directory: after
 * every epoch the schedule's record is written, then its checkpoint. Run again with the same
 * settings, a finished schedule is kept as it is and an unfinished one resumes from its last
 * checkpoint (records of epochs after it are dropped: they will be trained again). Ctrl-C or SIGTERM
 * part-way through an epoch keeps the steps done in a checkpoint, with the CPU time they took, and
 * the next part continues at the following step.
 */
final class ScheduleComparison {

    static final List<String> SCHEDULES = List.of("deps", "progressive-shrinking", "sandwich");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Training options added after state files were first written, each with what the code did before it
     * existed: a comparison begun before an upgrade resumes as it was planned instead of being refused for a
     * field its state file lacks.
     */
    private static final Map<String, Double> OPTIONS_ADDED_SINCE = Map.of("randomErase", 0.0);

    /** One finished epoch: training CPU-hours so far (probe scoring not counted) and validation top-1. */
    record EpochRecord(
            int epoch,
            String phase,
            double cpuHours,
            double wallMinutes,
            double largest,
            double smallest,
            double probeMean,
            List<Double> probes) {}

    /**
     * A stop part-way through {@code epoch} (from 0) after {@code steps} of its steps, and the clocks then:
     * the checkpoint beside it resumes at the next step, and these are what its steps were charged.
     */
    record PartEpoch(int epoch, int steps, double cpuHours, double wallMinutes) {}

    /** The test split, scored once at the end, and the validation split under the same calibration. */
    record FinalScores(List<Double> validation, List<Double> test) {}

    /**
     * Everything kept for one schedule; {@code result} is null until it finished. {@code priceScale}
     * is what its pilot's prices were multiplied by to bring them to the yardstick of schedules
     * planned in an earlier part (null or 1: priced with every other schedule of the comparison).
     * {@code partEpochs} are the stops part-way through an epoch that the checkpoint on disk may hold:
     * one, or two while a newer checkpoint is being put in its place, so that a kill between the two
     * writes leaves a pair that resumes (none at an epoch's end; absent in files of older code, one
     * {@code partEpoch} in those of 65b2b80).
     */
    record ScheduleState(
            String schedule,
            TrainingOptions options,
            double budgetCpuHours,
            double plannedCpuHours,
            Map<String, Double> stepCostSeconds,
            List<EpochRecord> epochs,
            FinalScores result,
            Double priceScale,

            @JsonAlias("partEpoch") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            List<PartEpoch> partEpochs) {

        ScheduleState {
            partEpochs = partEpochs == null ? List.of() : List.copyOf(partEpochs);
        }

        ScheduleState withEpochs(List<EpochRecord> epochs, FinalScores result) {
            return new ScheduleState(
                    schedule,
                    options,
                    budgetCpuHours,
                    plannedCpuHours,
                    stepCostSeconds,
                    epochs,
                    result,
                    priceScale,
                    List.of());
        }

        ScheduleState withPartEpochs(List<PartEpoch> parts) {
            return new ScheduleState(
                    schedule,
                    options,
                    budgetCpuHours,
                    plannedCpuHours,
                    stepCostSeconds,
                    epochs,
                    result,
                    priceScale,
                    parts);
        }
    }

    private final SearchSpace space;
    private final TrainingData data;
    private final double cpuHours;
    private final int batchSize;
    private final int maxStepsPerEpoch;
    private final Path state;
    private final long seed;
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** Test hook: stop a schedule after this many epochs of this part, as a kill would. */
    int stopAfterEpochs = Integer.MAX_VALUE;

    /** Test hook: stop a schedule after this many steps of this part, as Ctrl-C would. */
    int stopAfterSteps = Integer.MAX_VALUE;

    /**
     * Test hook: runs between two writes, where a kill (a second Ctrl-C, the stop's time limit) may
     * end the process; a kill there throws. "part" and "epoch": the state is written, the checkpoint
     * not yet; "part-checkpoint" and "epoch-checkpoint": the checkpoint is written, the state not yet
     * trimmed; "result": the final scores are written, the checkpoint not yet removed.
     */
    java.util.function.Consumer<String> betweenWrites = at -> {};

    /** The process's CPU time in nanoseconds; a test gives a clock of its own. */
    java.util.function.LongSupplier cpuNanos = os::getProcessCpuTime;

    /**
     * Prices a step of each phase of each schedule, by schedule; the pilot runs taking turns, or
     * fixed prices in a test. Null when the process was asked to stop.
     */
    java.util.function.Function<List<TrainingOptions>, Map<String, Map<String, Double>>> stepPrices;

    ScheduleComparison(
            SearchSpace space, TrainingData data, double cpuHours, int batchSize, int maxStepsPerEpoch, Path state) {
        this(
                space,
                data,
                cpuHours,
                batchSize,
                maxStepsPerEpoch,
                state,
                TrainingOptions.defaults("deps", 1).seed());
    }

    /**
     * {@code seed} seeds every schedule's training (weights, shuffling, subnets drawn, augmentation)
     * and its BN-recalibration sample; the validation split and the probes stay the same, so runs of
     * other seeds are read on the same images and subnets. Each seed's pilot prices its own plan.
     */
    ScheduleComparison(
            SearchSpace space,
            TrainingData data,
            double cpuHours,
            int batchSize,
            int maxStepsPerEpoch,
            Path state,
            long seed) {
        if (!(cpuHours > 0) || Double.isInfinite(cpuHours)) {
            throw new IllegalArgumentException("--cpu-hours: must be a positive number of hours");
        }
        this.space = space;
        this.data = data;
        this.cpuHours = cpuHours;
        this.batchSize = batchSize;
        this.maxStepsPerEpoch = maxStepsPerEpoch;
        this.state = state;
        this.seed = seed;
        this.stepPrices =
                schedules -> ScheduleBudget.measureStepCosts(space, data, schedules, ProcessShutdown::started);
    }

    List<SubnetConfig> probes() {
        List<SubnetConfig> probes = new ArrayList<>(List.of(space.smallest(), space.largest()));
        Random random = new Random(2024);
        for (int i = 0; i < 8; i++) {
            probes.add(space.sample(random));
        }
        return probes;
    }

    /**
     * Runs (or continues) the given schedules; returns the states of those that finished. Every
     * schedule not yet planned is priced before any trains, all in one pilot whose runs take turns
     * (pilots run one after another had priced deps's shrinking step and sandwich's identical step
     * 8-47 % apart: bench/results/schedules-2026-12-05-stopped.md).
     */
    List<ScheduleState> run(List<String> schedules, PrintStream log) {
        List<String> unplanned = schedules.stream().filter(s -> read(s) == null).toList();
        if (!unplanned.isEmpty() && !planTogether(unplanned, log)) {
            log.println("bench: stopped while pricing; run again to continue");
            return List.of();
        }
        List<ScheduleState> finished = new ArrayList<>();
        for (String schedule : schedules) {
            ScheduleState done = runOne(schedule, log);
            if (done == null || done.result() == null) {
                break; // stopped (a signal): the next schedule would only start to stop at once
            }
            finished.add(done);
        }
        return finished;
    }

    /** Runs (or continues) one schedule; null when it was stopped while its pilot priced it. */
    ScheduleState runOne(String schedule, PrintStream log) {
        ScheduleState current = read(schedule);
        if (current != null && current.result() != null) {
            // left behind where a kill came between the final scores and the checkpoint's removal
            deleteCheckpoint(schedule);
            log.printf(Locale.ROOT, "bench: %s finished in an earlier part; kept%n", schedule);
            return current;
        }
        if (current == null) {
            if (!planTogether(List.of(schedule), log)) {
                log.println("bench: stopped while pricing; run again to continue");
                return null;
            }
            current = read(schedule);
        }
        TrainingOptions options = current.options();
        List<SubnetConfig> probes = probes();
        List<EpochRecord> records = new ArrayList<>(current.epochs());
        try (Trainer trainer = new Trainer(space, data, options)) {
            Path checkpoint = state.resolve(schedule + ".ckpt");
            PartEpoch part = null;
            if (Files.exists(checkpoint)) {
                int next = trainer.resume(Files.readAllBytes(checkpoint));
                records.removeIf(r -> r.epoch() >= next);
                int stepsDone = trainer.stepsIntoNextEpoch();
                if (stepsDone > 0) {
                    part = current.partEpochs().stream()
                            .filter(p -> p.epoch() == next && p.steps() == stepsDone)
                            .findFirst()
                            .orElseThrow(() -> new IllegalStateException("--state: " + checkpoint
                                    + " stopped after step " + stepsDone + " of epoch " + (next + 1) + ", but "
                                    + schedule + ".json has no record of what those steps cost; give another"
                                    + " --state directory or remove it"));
                }
                log.printf(
                        Locale.ROOT,
                        "bench: %s resumes at epoch %d of %d%s%n",
                        schedule,
                        next + 1,
                        options.epochs(),
                        stepsDone > 0 ? ", step " + (stepsDone + 1) : "");
            } else {
                records.clear();
            }
            double cpuBefore = part != null
                    ? part.cpuHours()
                    : records.isEmpty() ? 0 : records.get(records.size() - 1).cpuHours();
            double wallBefore = part != null
                    ? part.wallMinutes()
                    : records.isEmpty() ? 0 : records.get(records.size() - 1).wallMinutes();
            ScheduleState planned = current;
            // the steps of a part-epoch drawn again on resuming (subnets, augmentation, dropout masks) are
            // charged to it; not measured, but data preparation is 0.4 % of a full-model step's time
            long[] clock = {cpuNanos.getAsLong(), System.nanoTime()};
            // what the checkpoint on disk may hold, should it be part-way through an epoch
            List<PartEpoch> parts = new ArrayList<>(part == null ? List.of() : List.of(part));
            double[] spent = {cpuBefore, wallBefore};
            int[] epochsThisPart = {0};
            int[] stepsThisPart = {0};
            ConsoleProgress progress = new ConsoleProgress(log, System.console() != null);
            boolean completed = trainer.train(new TrainingListener() {
                @Override
                public void onProgress(TrainingProgress p) {
                    stepsThisPart[0]++;
                    progress.onProgress(p);
                }

                @Override
                public void onStoppedPartWay(
                        int epoch, int steps, Checkpoint at, java.util.function.Supplier<byte[]> bytes) {
                    // the steps since the epoch's end are kept, and charged when the epoch ends in a later part
                    spent[0] += (cpuNanos.getAsLong() - clock[0]) / 3.6e12;
                    spent[1] += (System.nanoTime() - clock[1]) / 6e10;
                    PartEpoch stop = new PartEpoch(epoch, steps, spent[0], spent[1]);
                    byte[] kept = bytes.get(); // written after the clock: not charged, as a checkpoint is not
                    // the state first, naming both the checkpoint on disk and the new one: a kill
                    // between the writes leaves a pair that resumes
                    parts.add(stop);
                    write(planned.withEpochs(records, null).withPartEpochs(parts));
                    betweenWrites.accept("part");
                    writeAtomically(checkpoint, kept);
                    betweenWrites.accept("part-checkpoint");
                    parts.retainAll(List.of(stop));
                    write(planned.withEpochs(records, null).withPartEpochs(parts));
                    log.printf(
                            Locale.ROOT,
                            "%nbench: %s stopped after step %d of epoch %d/%d (%s), %.3f CPU-hours; kept%n",
                            schedule,
                            steps,
                            epoch + 1,
                            options.epochs(),
                            at.phase(),
                            spent[0]);
                }

                @Override
                public void onCheckpoint(int epoch, Checkpoint at, byte[] bytes) {
                    // training's share of the clocks ends here; scoring the probes is not charged
                    spent[0] += (cpuNanos.getAsLong() - clock[0]) / 3.6e12;
                    spent[1] += (System.nanoTime() - clock[1]) / 6e10;
                    List<Double> scores = probes.stream()
                            .map(trainer::calibratedValidationTop1)
                            .toList();
                    EpochRecord record = new EpochRecord(
                            epoch, at.phase(), spent[0], spent[1], scores.get(1), scores.get(0), mean(scores), scores);
                    records.add(record);
                    // until the epoch's checkpoint is in place, the one on disk may be of a stop part-way through it
                    write(planned.withEpochs(records, null).withPartEpochs(parts));
                    betweenWrites.accept("epoch");
                    writeAtomically(checkpoint, bytes);
                    betweenWrites.accept("epoch-checkpoint");
                    parts.clear();
                    epochsThisPart[0]++;
                    log.printf(
                            Locale.ROOT,
                            "bench: %s epoch %d/%d (%s) %.3f CPU-hours, validation largest %.4f smallest %.4f probe"
                                    + " mean %.4f%n",
                            schedule,
                            epoch + 1,
                            options.epochs(),
                            at.phase(),
                            spent[0],
                            record.largest(),
                            record.smallest(),
                            record.probeMean());
                    clock[0] = cpuNanos.getAsLong();
                    clock[1] = System.nanoTime();
                }

                @Override
                public boolean stopRequested() {
                    // Ctrl-C or SIGTERM stops at a step boundary, kept by onStoppedPartWay
                    return epochsThisPart[0] >= stopAfterEpochs
                            || stepsThisPart[0] >= stopAfterSteps
                            || progress.stopRequested();
                }
            });
            if (!completed) {
                log.printf(Locale.ROOT, "bench: %s stopped; run again to continue%n", schedule);
                return planned.withEpochs(records, null).withPartEpochs(parts);
            }
            List<SubnetAccuracy> scored = trainer.evaluate(probes);
            ScheduleState done = current.withEpochs(
                    records,
                    new FinalScores(
                            scored.stream().map(SubnetAccuracy::validationTop1).toList(),
                            scored.stream().map(SubnetAccuracy::testTop1).toList()));
            write(done);
            betweenWrites.accept("result");
            deleteCheckpoint(schedule);
            return done;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the comparison's state in " + state, e);
        }
    }

    /**
     * Prices a step of every phase of {@code schedules} in one pilot, then gives each the epochs and
     * steps that fill the budget. Schedules planned in an earlier part of the comparison are priced
     * again beside them, and today's prices are scaled so that their plans cost what they cost
     * when planned: the machine's speed drifts between parts, and the budget must buy every
     * schedule the same work. Returns false when the pilot was stopped.
     */
    private boolean planTogether(List<String> schedules, PrintStream log) {
        List<ScheduleState> earlier =
                SCHEDULES.stream().map(this::read).filter(Objects::nonNull).toList();
        List<TrainingOptions> priced = new ArrayList<>();
        earlier.forEach(e -> priced.add(options(e.schedule(), 1, 0)));
        schedules.forEach(s -> priced.add(options(s, 1, 0)));
        log.printf(
                Locale.ROOT,
                "bench: pilot runs of %s (%d epochs of %d steps each, taking turns on one thread an epoch at a time) price a"
                        + " step of each phase%n",
                String.join(", ", priced.stream().map(TrainingOptions::schedule).toList()),
                ScheduleBudget.PILOT_EPOCHS,
                ScheduleBudget.PILOT_STEPS);
        Map<String, Map<String, Double>> measured = stepPrices.apply(priced);
        if (measured == null) {
            return false;
        }
        double scale = 1;
        if (!earlier.isEmpty()) {
            double then = 0;
            double now = 0;
            for (ScheduleState e : earlier) {
                then += plannedSeconds(e.options(), e.stepCostSeconds());
                now += plannedSeconds(e.options(), measured.get(e.schedule()));
            }
            scale = then / now;
            log.printf(
                    Locale.ROOT,
                    "bench: %s planned in an earlier part: %.3f CPU-hours at its prices then, %.3f at today's;"
                            + " today's prices are scaled by %.3f to the same yardstick%n",
                    String.join(
                            ", ", earlier.stream().map(ScheduleState::schedule).toList()),
                    then / 3600,
                    now / 3600,
                    scale);
        }
        for (String schedule : schedules) {
            Map<String, Double> costs = new LinkedHashMap<>();
            double factor = scale;
            measured.get(schedule).forEach((phase, price) -> costs.put(phase, price * factor));
            plan(schedule, costs, earlier.isEmpty() ? null : scale, log);
        }
        return true;
    }

    /** What a planned schedule's steps cost at {@code prices}, in CPU seconds. */
    private double plannedSeconds(TrainingOptions options, Map<String, Double> prices) {
        int steps = options.maxStepsPerEpoch();
        return ScheduleBudget.cpuSeconds(Trainer.plannedPhases(space, options, steps), steps, prices);
    }

    /** Picks the epochs and steps that fill the budget at {@code costs}. */
    private ScheduleState plan(String schedule, Map<String, Double> costs, Double priceScale, PrintStream log) {
        int fullSteps = stepsPerEpoch();
        ScheduleBudget.Plan plan = ScheduleBudget.plan(
                cpuHours, fullSteps, costs, e -> Trainer.plannedPhases(space, options(schedule, e, 0), fullSteps));
        TrainingOptions options = options(schedule, plan.epochs(), plan.stepsPerEpoch());
        double planned = plannedSeconds(options, costs) / 3600;
        log.printf(
                Locale.ROOT,
                "bench: %s gets %d epochs of %d steps (%.3f of %.3f CPU-hours at %s CPU s per step)%n",
                schedule,
                plan.epochs(),
                plan.stepsPerEpoch(),
                planned,
                cpuHours,
                costs);
        ScheduleState planState =
                new ScheduleState(schedule, options, cpuHours, planned, costs, List.of(), null, priceScale, null);
        write(planState);
        return planState;
    }

    /** A schedule's options; {@code steps} is the plan's steps per epoch (0: as many as the run allows). */
    private TrainingOptions options(String schedule, int epochs, int steps) {
        return TrainingOptions.defaults(schedule, epochs)
                .withSeed(seed)
                .withBatchSize(batchSize)
                .withLimits(data.validation().size(), 2000, steps > 0 ? steps : maxStepsPerEpoch);
    }

    private int stepsPerEpoch() {
        return stepsPerEpoch(batchSize, maxStepsPerEpoch, data.train().size());
    }

    /** Training steps per epoch, as the trainer counts them (the last short batch dropped). */
    static int stepsPerEpoch(int batchSize, int maxStepsPerEpoch, int trainImages) {
        int full = Math.max(1, trainImages / batchSize);
        return maxStepsPerEpoch > 0 ? Math.min(full, maxStepsPerEpoch) : full;
    }

    /**
     * The CPU-hours the budget charged up to and including {@code upTo}: every epoch's steps at its
     * phase's pilot price. This is what the epochs were allotted by, the same yardstick for every
     * schedule; the measured CPU time beside it also holds what a pilot's steps leave out (epoch
     * starts, checkpoints), any error in the pilot's prices and whatever else ran on the machine.
     */
    static double pricedCpuHours(ScheduleState state, EpochRecord upTo, int trainImages) {
        int steps = stepsPerEpoch(state.options().batchSize(), state.options().maxStepsPerEpoch(), trainImages);
        double seconds = 0;
        for (EpochRecord r : state.epochs()) {
            if (r.epoch() <= upTo.epoch()) {
                Double price = state.stepCostSeconds().get(r.phase());
                if (price == null) {
                    throw new IllegalStateException(state.schedule() + "'s pilot priced no step of phase " + r.phase());
                }
                seconds += steps * price;
            }
        }
        return seconds / 3600;
    }

    /** The kept state of a schedule, or null; refuses state written for other settings. */
    ScheduleState read(String schedule) {
        Path file = state.resolve(schedule + ".json");
        if (!Files.exists(file)) {
            return null;
        }
        ScheduleState kept;
        try {
            ObjectNode tree = (ObjectNode) JSON.readTree(file.toFile());
            if (tree.get("options") instanceof ObjectNode options) {
                OPTIONS_ADDED_SINCE.forEach((name, before) -> {
                    if (!options.has(name)) {
                        options.put(name, before);
                    }
                });
            }
            kept = JSON.treeToValue(tree, ScheduleState.class);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "--state: " + file + " cannot be read (" + e.getMessage() + "); remove it to start " + schedule
                            + " again",
                    e);
        }
        int keptSteps = kept.options().maxStepsPerEpoch();
        TrainingOptions expected = options(schedule, kept.options().epochs(), keptSteps);
        // the plan caps an epoch's steps; a cap above what this run allows means other settings
        boolean stepsAllowed = keptSteps >= 1 && keptSteps <= stepsPerEpoch();
        if (kept.budgetCpuHours() != cpuHours || !kept.options().trainsAs(expected) || !stepsAllowed) {
            throw new IllegalStateException("--state: " + state + " holds a comparison with other settings ("
                    + kept.budgetCpuHours() + " CPU-hours, " + kept.options() + "); give another --state directory"
                    + " or remove it");
        }
        return kept;
    }

    private void deleteCheckpoint(String schedule) {
        try {
            Files.deleteIfExists(state.resolve(schedule + ".ckpt"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + schedule + "'s checkpoint from " + state, e);
        }
    }

    private void write(ScheduleState s) {
        writeAtomically(state.resolve(s.schedule() + ".json"), JSON.writeValueAsBytes(s));
    }

    private static void writeAtomically(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            Files.write(partial, bytes);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
