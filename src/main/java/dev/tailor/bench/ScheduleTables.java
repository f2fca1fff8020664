package dev.tailor.bench;

import dev.tailor.training.TrainingData;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The tables of a schedule comparison: the outcome, every epoch, and what a step of each phase cost. */
final class ScheduleTables {

    private ScheduleTables() {}

    static List<BenchReport> of(
            List<ScheduleComparison.ScheduleState> states, TrainingData data, double cpuHours, String command) {
        BenchReport outcome = new BenchReport(
                "Schedules at equal compute (" + cpuHours + " CPU-hours of training each)",
                List.of(
                        "schedule",
                        "epochs",
                        "steps per epoch",
                        "steps",
                        "priced CPU-hours",
                        "measured CPU-hours",
                        "wall minutes",
                        "validation largest",
                        "validation smallest",
                        "validation probe mean (10)",
                        "test largest",
                        "test smallest",
                        "test random 8 mean",
                        "test probe mean (10)"));
        BenchReport epochs = new BenchReport(
                "Validation top-1 of the probes after every epoch",
                List.of(
                        "schedule",
                        "epoch",
                        "phase",
                        "priced CPU-hours",
                        "measured CPU-hours",
                        "wall minutes",
                        "largest",
                        "smallest",
                        "probe mean (10)"));
        BenchReport costs = new BenchReport(
                "CPU seconds of one training step, by phase (pilot run)",
                List.of("schedule", "phase", "CPU seconds per step", "pilot's price scaled by"));
        for (ScheduleComparison.ScheduleState s : states) {
            ScheduleComparison.EpochRecord last = s.epochs().get(s.epochs().size() - 1);
            List<Double> validation = s.result().validation();
            int steps = ScheduleComparison.stepsPerEpoch(
                    s.options().batchSize(),
                    s.options().maxStepsPerEpoch(),
                    data.train().size());
            List<Double> test = s.result().test();
            outcome.row(
                    s.schedule(),
                    s.options().epochs(),
                    steps,
                    (long) s.options().epochs() * steps,
                    ScheduleComparison.pricedCpuHours(s, last, data.train().size()),
                    last.cpuHours(),
                    last.wallMinutes(),
                    validation.get(1),
                    validation.get(0),
                    ScheduleComparison.mean(validation),
                    test.get(1),
                    test.get(0),
                    ScheduleComparison.mean(test.subList(2, test.size())),
                    ScheduleComparison.mean(test));
            for (ScheduleComparison.EpochRecord r : s.epochs()) {
                epochs.row(
                        s.schedule(),
                        r.epoch() + 1,
                        r.phase(),
                        ScheduleComparison.pricedCpuHours(s, r, data.train().size()),
                        r.cpuHours(),
                        r.wallMinutes(),
                        r.largest(),
                        r.smallest(),
                        r.probeMean());
            }
            for (Map.Entry<String, Double> cost : s.stepCostSeconds().entrySet()) {
                costs.row(s.schedule(), cost.getKey(), cost.getValue(), s.priceScale() == null ? 1.0 : s.priceScale());
            }
        }
        outcome.note(String.format(
                Locale.ROOT,
                "Command: `%s`. Dataset %s: %d training images (%d held out for validation), %d test images."
                        + " Each schedule gets the epochs, and steps per epoch, whose phases, priced at the CPU"
                        + " seconds per step its pilot run measured (third table: the mean of each phase's steps,"
                        + " leaving out the first epoch and the first %d steps of every epoch; the pilots of all"
                        + " schedules planned together take turns on one thread, an epoch at a time, so that the machine's drift in"
                        + " speed falls on all alike, and a schedule added in a later part is priced beside those"
                        + " planned before, its prices scaled so that theirs cost what they cost then), spend the most"
                        + " of the"
                        + " budget without passing it; an epoch shorter than the training set draws its batches from"
                        + " the whole set, shuffled. Priced CPU-hours are the epochs so far at those prices, the"
                        + " yardstick the budget was spent by and the chart's axis; measured CPU-hours are the"
                        + " process's CPU time while training (every core counted, the probes' scoring after each"
                        + " epoch left out), which also holds epoch starts, checkpoints, any error of the pilot's"
                        + " prices and anything else that ran on the machine meanwhile."
                        + " Training seed %d (weights, shuffling, subnets drawn, the BN-recalibration sample;"
                        + " the validation split and the probes do not depend on it)."
                        + " Probes: smallest, largest and 8 random subnets drawn with seed 2024, each BN-recalibrated"
                        + " on 2,000 training images. Read the comparison on validation; the test split is scored"
                        + " once at the end and only reported.",
                command,
                data.datasetName(),
                data.train().size(),
                data.validation().size(),
                data.test().size(),
                ScheduleBudget.PILOT_UNCOUNTED_STEPS,
                states.isEmpty() ? 1 : states.get(0).options().seed()));
        return List.of(outcome, epochs, costs);
    }
}
