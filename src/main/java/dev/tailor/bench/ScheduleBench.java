package dev.tailor.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.training.SubnetAccuracy;
import dev.tailor.training.Trainer;
import dev.tailor.training.TrainingData;
import dev.tailor.training.TrainingListener;
import dev.tailor.training.TrainingOptions;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The schedules side by side at one epoch budget: test top-1 of a fixed probe set (smallest,
 * largest and 8 seeded random subnets, each after BN recalibration), their mean, wall time and
 * CPU-hours (process CPU time, every core counted).
 */
final class ScheduleBench {

    static final List<String> SCHEDULES = List.of("deps", "progressive-shrinking", "sandwich");

    private final SearchSpace space;
    private final TrainingData data;
    private final int epochs;
    private final int maxStepsPerEpoch;
    private final int batchSize;

    ScheduleBench(SearchSpace space, TrainingData data, int epochs, int maxStepsPerEpoch, int batchSize) {
        this.space = space;
        this.data = data;
        this.epochs = epochs;
        this.maxStepsPerEpoch = maxStepsPerEpoch;
        this.batchSize = batchSize;
    }

    List<SubnetConfig> probes() {
        List<SubnetConfig> probes = new ArrayList<>(List.of(space.smallest(), space.largest()));
        Random random = new Random(2024);
        for (int i = 0; i < 8; i++) {
            probes.add(space.sample(random));
        }
        return probes;
    }

    BenchReport run(java.io.PrintStream log) {
        BenchReport report = new BenchReport(
                "Schedules at the same budget",
                List.of(
                        "schedule",
                        "epochs",
                        "steps",
                        "wall minutes",
                        "CPU-hours",
                        "largest test top-1",
                        "smallest test top-1",
                        "random 8 mean",
                        "probe mean (10)"));
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<SubnetConfig> probes = probes();
        long steps = 0;
        for (String schedule : SCHEDULES) {
            TrainingOptions options = TrainingOptions.defaults(schedule, epochs)
                    .withBatchSize(batchSize)
                    .withLimits(data.validation().size(), 2000, maxStepsPerEpoch);
            long cpuStart = os.getProcessCpuTime();
            long wallStart = System.nanoTime();
            List<SubnetAccuracy> accuracy;
            try (Trainer trainer = new Trainer(space, data, options)) {
                steps = (long) trainer.stepsPerEpoch() * epochs;
                log.printf(
                        Locale.ROOT, "bench: %s, %d epochs of %d steps%n", schedule, epochs, trainer.stepsPerEpoch());
                trainer.train(new TrainingListener() {});
                double trainCpuHours = (os.getProcessCpuTime() - cpuStart) / 3.6e12;
                double trainMinutes = (System.nanoTime() - wallStart) / 6e10;
                accuracy = trainer.evaluate(probes);
                double largest = accuracy.get(1).testTop1();
                double smallest = accuracy.get(0).testTop1();
                double random = accuracy.subList(2, accuracy.size()).stream()
                        .mapToDouble(SubnetAccuracy::testTop1)
                        .average()
                        .orElse(0);
                double mean = accuracy.stream()
                        .mapToDouble(SubnetAccuracy::testTop1)
                        .average()
                        .orElse(0);
                report.row(schedule, epochs, steps, trainMinutes, trainCpuHours, largest, smallest, random, mean);
                log.printf(
                        Locale.ROOT,
                        "bench: %s largest %.4f smallest %.4f probe mean %.4f%n",
                        schedule,
                        largest,
                        smallest,
                        mean);
            }
        }
        report.note(String.format(
                Locale.ROOT,
                "Dataset %s: %d training images (%d held out for validation), %d test images. Batch %d%s."
                        + " CPU-hours and minutes cover training only; evaluation (BN recalibration on 2,000 training"
                        + " images, then the test set) is not counted. Probe set: smallest, largest, 8 random"
                        + " subnets drawn with seed 2024, the same for every schedule.",
                data.datasetName(),
                data.train().size(),
                data.validation().size(),
                data.test().size(),
                batchSize,
                maxStepsPerEpoch > 0 ? ", at most " + maxStepsPerEpoch + " steps per epoch" : ""));
        return report;
    }
}
