package dev.tailor.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.tailor.space.SearchSpace;
import dev.tailor.training.Trainer;
import dev.tailor.training.TrainingData;
import dev.tailor.training.TrainingListener;
import dev.tailor.training.TrainingOptions;
import dev.tailor.training.TrainingProgress;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * Turns a CPU-hour budget into epochs for a schedule. A step's cost depends on its phase (deps
 * trains one subnet per step while it warms up, four after), so a short pilot run measures the
 * CPU seconds of a step in every phase, and the budget buys the epochs, and the steps in each,
 * whose phases, priced at those costs, come closest to it without passing it.
 */
final class ScheduleBudget {

    /** Pilot epochs: enough that every phase of progressive shrinking (the shortest is 25/605) gets one. */
    static final int PILOT_EPOCHS = 40;
    /**
     * Pilot steps per epoch. The first {@link #PILOT_UNCOUNTED_STEPS} of each epoch also pay for the
     * epoch's start and the checkpoint before it (and the collector that follows), and are not counted.
     */
    static final int PILOT_STEPS = 8;

    static final int PILOT_UNCOUNTED_STEPS = 2;

    static final int MAX_EPOCHS = 10_000;

    private ScheduleBudget() {}

    /**
     * CPU seconds per training step, by schedule and phase name, from one pilot run per schedule.
     * The pilots take turns an epoch at a time on this one thread, so that every schedule is
     * priced over the same stretch of time: run one after another, the second had priced the same
     * four-subnet step 8-47 % dearer than the first; on threads of their own, taking turns, a pilot
     * priced a long epoch's step 0.93-1.30 of what it paid, on one thread 0.98-0.99 ({@code bench
     * pilot-check}). Returns null when the process was asked to stop.
     */
    static Map<String, Map<String, Double>> measureStepCosts(
            SearchSpace space, TrainingData data, List<TrainingOptions> schedules, BooleanSupplier stop) {
        return measureStepCosts(space, data, schedules, stop, PILOT_EPOCHS, PILOT_STEPS);
    }

    /** As above with a pilot of {@code epochs} epochs of {@code steps} steps (a test's short pilot). */
    static Map<String, Map<String, Double>> measureStepCosts(
            SearchSpace space,
            TrainingData data,
            List<TrainingOptions> schedules,
            BooleanSupplier stop,
            int epochs,
            int steps) {
        List<Trainer> trainers = new ArrayList<>();
        try {
            List<PilotClock> clocks = new ArrayList<>();
            for (TrainingOptions options : schedules) {
                trainers.add(new Trainer(space, data, pilotOptions(options, epochs, steps)));
                clocks.add(new PilotClock(stop));
            }
            boolean[] finished = new boolean[schedules.size()];
            for (int epoch = 0; epoch < epochs; epoch++) {
                for (int pilot = 0; pilot < schedules.size(); pilot++) {
                    if (finished[pilot]) {
                        continue;
                    }
                    PilotClock clock = clocks.get(pilot);
                    clock.stopAfterEpochs = epoch + 1;
                    // one epoch: it stops at the next epoch's first step, and a second call resumes there
                    finished[pilot] = trainers.get(pilot).train(clock);
                    if (stop.getAsBoolean()) {
                        return null;
                    }
                }
            }
            Map<String, Map<String, Double>> bySchedule = new LinkedHashMap<>();
            for (int pilot = 0; pilot < schedules.size(); pilot++) {
                bySchedule.put(
                        schedules.get(pilot).schedule(), clocks.get(pilot).prices());
            }
            return bySchedule;
        } finally {
            trainers.forEach(Trainer::close);
        }
    }

    private static TrainingOptions pilotOptions(TrainingOptions options, int epochs, int steps) {
        return TrainingOptions.defaults(options.schedule(), epochs)
                .withBatchSize(options.batchSize())
                .withLimits(options.validationSize(), options.calibrationImages(), steps);
    }

    /**
     * One pilot's step prices: the process's CPU time from one step to the next, by phase; the
     * first {@link #PILOT_UNCOUNTED_STEPS} of every epoch (which also pay for the epoch's start, the
     * checkpoint before it and the other pilots' turns) and the first epoch (the JIT) left out.
     */
    private static final class PilotClock implements TrainingListener {
        private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private final BooleanSupplier stop;
        private final Map<String, List<Double>> samples = new LinkedHashMap<>();
        private final Map<String, List<Double>> firstEpoch = new LinkedHashMap<>();
        private long last = -1;
        private int epochsDone;
        int stopAfterEpochs = Integer.MAX_VALUE;

        PilotClock(BooleanSupplier stop) {
            this.stop = stop;
        }

        @Override
        public void onProgress(TrainingProgress progress) {
            long now = os.getProcessCpuTime();
            if (progress.step() > PILOT_UNCOUNTED_STEPS && last >= 0) {
                (progress.epoch() == 0 ? firstEpoch : samples)
                        .computeIfAbsent(progress.phase(), phase -> new ArrayList<>())
                        .add((now - last) / 1e9);
            }
            if (progress.step() == progress.stepsPerEpoch()) {
                epochsDone++;
            }
            last = now;
        }

        @Override
        public boolean stopRequested() {
            return epochsDone >= stopAfterEpochs || stop.getAsBoolean();
        }

        Map<String, Double> prices() {
            Map<String, List<Double>> all = new LinkedHashMap<>(samples);
            firstEpoch.forEach(all::putIfAbsent);
            return ScheduleBudget.prices(all);
        }
    }

    /**
     * A phase's price is the mean of its steps, not the median: steps of a subnet drawn at random
     * cost as much as the subnet and its resolution, a skewed spread whose median undercharges.
     */
    static Map<String, Double> prices(Map<String, List<Double>> secondsByPhase) {
        Map<String, Double> costs = new LinkedHashMap<>();
        secondsByPhase.forEach((phase, seconds) -> costs.put(
                phase,
                seconds.stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
        return costs;
    }

    /** Epochs and steps in each that a budget buys. */
    record Plan(int epochs, int stepsPerEpoch) {}

    /**
     * The epochs and steps per epoch that spend the most of {@code cpuHours} without passing it.
     * Whole epochs of {@code fullSteps} leave up to an epoch's cost unspent (13 % of an hour for
     * deps); one or more epochs more, each a little shorter, spend all but a step per epoch. Every
     * epoch still draws its batches from the whole training set, shuffled. Of equal spends the plan
     * with fewer, longer epochs wins.
     */
    static Plan plan(
            double cpuHours,
            int fullSteps,
            Map<String, Double> stepCosts,
            IntFunction<List<Trainer.PlannedPhase>> phasesAt) {
        int whole = epochsFor(cpuHours, fullSteps, stepCosts, phasesAt);
        double budgetSeconds = cpuHours * 3600;
        Plan best = new Plan(whole, fullSteps);
        double bestSpend = cpuSeconds(phasesAt.apply(whole), fullSteps, stepCosts);
        for (int epochs = whole + 1; epochs <= Math.min(MAX_EPOCHS, 2 * whole); epochs++) {
            double perStepOfEachEpoch = cpuSeconds(phasesAt.apply(epochs), 1, stepCosts);
            int steps = (int) Math.min(fullSteps, Math.floor(budgetSeconds / perStepOfEachEpoch));
            double spend = steps * perStepOfEachEpoch;
            if (steps >= 1 && spend > bestSpend) {
                best = new Plan(epochs, steps);
                bestSpend = spend;
            }
        }
        return best;
    }

    /**
     * The most epochs whose planned phases cost at most {@code cpuHours} at {@code stepsPerEpoch}.
     *
     * @param phasesAt the phases of a run of so many epochs
     * @throws IllegalArgumentException when not even one epoch fits, or a planned phase has no measured cost
     */
    static int epochsFor(
            double cpuHours,
            int stepsPerEpoch,
            Map<String, Double> stepCosts,
            IntFunction<List<Trainer.PlannedPhase>> phasesAt) {
        double budgetSeconds = cpuHours * 3600;
        double oneEpoch = cpuSeconds(phasesAt.apply(1), stepsPerEpoch, stepCosts);
        if (oneEpoch > budgetSeconds) {
            throw new IllegalArgumentException(String.format(
                    java.util.Locale.ROOT,
                    "--cpu-hours: %.3g CPU-hours do not pay for one epoch (%.3g CPU-hours here); give more",
                    cpuHours,
                    oneEpoch / 3600));
        }
        // Cost grows with epochs, but rounding of phase boundaries can make it wobble by a few
        // steps; a linear scan from the top finds the largest that fits without assuming more.
        int low = 1;
        int high = 1;
        while (high < MAX_EPOCHS && cpuSeconds(phasesAt.apply(high * 2), stepsPerEpoch, stepCosts) <= budgetSeconds) {
            high *= 2;
        }
        high = Math.min(MAX_EPOCHS, high * 2);
        for (int epochs = high; epochs > low; epochs--) {
            if (cpuSeconds(phasesAt.apply(epochs), stepsPerEpoch, stepCosts) <= budgetSeconds) {
                return epochs;
            }
        }
        return low;
    }

    /** What the phases cost at the measured step costs. */
    static double cpuSeconds(List<Trainer.PlannedPhase> phases, int stepsPerEpoch, Map<String, Double> stepCosts) {
        double seconds = 0;
        for (Trainer.PlannedPhase phase : phases) {
            Double perStep = stepCosts.get(phase.name());
            if (perStep == null) {
                throw new IllegalArgumentException(
                        "phase " + phase.name() + " was not in the pilot run; its cost is not known");
            }
            seconds += (double) (phase.endEpoch() - phase.startEpoch()) * stepsPerEpoch * perStep;
        }
        return seconds;
    }
}
