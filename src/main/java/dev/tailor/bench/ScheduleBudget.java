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

    /** CPU seconds per training step, by phase name, from a pilot run of {@code options}' schedule. */
    static Map<String, Double> measureStepCosts(SearchSpace space, TrainingData data, TrainingOptions options) {
        TrainingOptions pilot = TrainingOptions.defaults(options.schedule(), PILOT_EPOCHS)
                .withBatchSize(options.batchSize())
                .withLimits(options.validationSize(), options.calibrationImages(), PILOT_STEPS);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        Map<String, List<Double>> firstEpoch = new LinkedHashMap<>();
        try (Trainer trainer = new Trainer(space, data, pilot)) {
            long[] last = {os.getProcessCpuTime()};
            trainer.train(new TrainingListener() {
                @Override
                public void onProgress(TrainingProgress progress) {
                    long now = os.getProcessCpuTime();
                    if (progress.step() > PILOT_UNCOUNTED_STEPS) {
                        // the first epoch also pays for the JIT compiling the step's code
                        (progress.epoch() == 0 ? firstEpoch : samples)
                                .computeIfAbsent(progress.phase(), phase -> new ArrayList<>())
                                .add((now - last[0]) / 1e9);
                    }
                    last[0] = now;
                }
            });
        }
        firstEpoch.forEach(samples::putIfAbsent);
        return prices(samples);
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
