package dev.tailor.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailor.space.SearchSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Real DJL training on a small generated image set. */
class TrainerTest {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);

    private static TrainingData data() {
        return TrainingData.prepare("generated", GeneratedImages.make(1088, 200, 10, 5), 128, 1);
    }

    private static TrainingOptions options(String schedule, int epochs) {
        return TrainingOptions.defaults(schedule, epochs)
                .withBatchSize(32)
                .withLearningRate(0.05)
                .withLimits(128, 256, 0);
    }

    /** Keeps every checkpoint it is given, the one of a stop part-way through an epoch included. */
    private static final class Recorder implements TrainingListener {
        final List<byte[]> checkpoints = new ArrayList<>();
        final List<TrainingProgress> progress = new ArrayList<>();
        int stopAfterCheckpoints = Integer.MAX_VALUE;
        long stopAtGlobalStep = Long.MAX_VALUE;
        byte[] partWay;

        @Override
        public void onProgress(TrainingProgress p) {
            progress.add(p);
        }

        @Override
        public void onCheckpoint(int epoch, Checkpoint checkpoint, byte[] bytes) {
            checkpoints.add(bytes);
        }

        @Override
        public void onStoppedPartWay(int epoch, int steps, Checkpoint checkpoint, Supplier<byte[]> bytes) {
            partWay = bytes.get();
        }

        @Override
        public boolean stopRequested() {
            return checkpoints.size() >= stopAfterCheckpoints
                    || (!progress.isEmpty() && progress.get(progress.size() - 1).globalStep() >= stopAtGlobalStep);
        }
    }

    /**
     * Trains to the end, stopped after each of the global {@code stops} and resumed from the
     * checkpoint that stop left; returns the last checkpoint, and adds the stops' own to {@code partWay}
     * and every run's progress to {@code progress}.
     */
    private static byte[] trainStoppedAt(
            TrainingData data,
            TrainingOptions options,
            List<byte[]> partWay,
            List<TrainingProgress> progress,
            long... stops) {
        byte[] checkpoint = null;
        for (int i = 0; ; i++) {
            try (Trainer trainer = new Trainer(SPACE, data, options)) {
                if (checkpoint != null) {
                    trainer.resume(checkpoint);
                }
                Recorder recorder = new Recorder();
                boolean last = i == stops.length;
                if (!last) {
                    recorder.stopAtGlobalStep = stops[i];
                }
                assertThat(trainer.train(recorder)).isEqualTo(last);
                progress.addAll(recorder.progress);
                if (last) {
                    return recorder.checkpoints.get(recorder.checkpoints.size() - 1);
                }
                assertThat(recorder.partWay)
                        .as("a checkpoint of the stop after step " + stops[i])
                        .isNotNull();
                checkpoint = recorder.partWay;
                partWay.add(checkpoint);
            }
        }
    }

    private static String stateJson(byte[] checkpoint) {
        try (var zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(checkpoint))) {
            for (var entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().equals("state.json")) {
                    return new String(zip.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError("no state.json in the checkpoint");
    }

    private static void assertSameWeights(byte[] expected, byte[] actual) {
        try (NDManager manager = NDManager.newBaseManager()) {
            var left = Checkpoint.read(expected, manager).arrays();
            var right = Checkpoint.read(actual, manager).arrays();
            assertThat(right.supernet().size()).isEqualTo(left.supernet().size());
            for (int i = 0; i < left.supernet().size(); i++) {
                NDArray x = left.supernet().get(i);
                NDArray y = right.supernet().get(i);
                assertThat(y.getName()).isEqualTo(x.getName());
                assertThat(x.sub(y).abs().max().getFloat()).as(x.getName()).isLessThan(1e-5f);
            }
            // a teacher frozen again at the resume would hold the weights of the stop
            assertThat(right.teacher() == null).isEqualTo(left.teacher() == null);
            for (int i = 0; left.teacher() != null && i < left.teacher().size(); i++) {
                NDArray x = left.teacher().get(i);
                assertThat(x.sub(right.teacher().get(i)).abs().max().getFloat())
                        .as("teacher " + x.getName())
                        .isLessThan(1e-5f);
            }
            for (int i = 0; i < left.optimizer().size(); i++) {
                NDArray x = left.optimizer().get(i);
                assertThat(x.sub(right.optimizer().get(i)).abs().max().getFloat())
                        .as("optimizer " + i)
                        .isLessThan(1e-5f);
            }
        }
    }

    @Test
    void depsLearnsAndItsSmallestSubnetIsFarAboveChance() {
        TrainingData data = data();
        try (Trainer trainer = new Trainer(SPACE, data, options("deps", 4))) {
            Recorder recorder = new Recorder();
            assertThat(trainer.train(recorder)).isTrue();
            assertThat(recorder.checkpoints).hasSize(4);
            assertThat(recorder.progress).last().satisfies(last -> {
                assertThat(last.phase()).isEqualTo("shrinking");
                assertThat(last.globalStep()).isEqualTo(last.totalSteps());
                assertThat(last.epsilon()).isEqualTo(1.0);
            });
            List<SubnetAccuracy> accuracy = trainer.evaluate(List.of(SPACE.largest(), SPACE.smallest()));
            System.out.println("deps on generated data: " + accuracy);
            // chance is 0.1; on these 200 test images the largest reached 0.61 with NCHW steps, 0.575
            // with channels-last depthwise convolutions and 0.65 with channels-last steps throughout
            // (equal gradients up to rounding, SupernetTest):
            // a standard error is 3.5 points, so the bar is set at learning, not at a rounding's luck
            assertThat(accuracy.get(0).testTop1()).isGreaterThan(0.5);
            assertThat(accuracy.get(1).testTop1()).isGreaterThan(0.3);
            assertThat(accuracy.get(0).validationImages()).isEqualTo(128);
        }
    }

    @Test
    void trainingStepsLeaveNothingBehindOnTheTrainersManager() {
        // an array a step leaves on the supernet's manager lives until the run ends: a 30-epoch run has
        // about 12,000 steps, so one per layer and step is hundreds of MB of native memory and heap
        TrainingData data = data();
        TrainingOptions options = options("sandwich", 5).withLimits(128, 256, 3);
        try (Trainer trainer = new Trainer(SPACE, data, options)) {
            List<Integer> heldAtEpochEnds = new ArrayList<>();
            TrainingListener recorder = new TrainingListener() {
                @Override
                public void onCheckpoint(int epoch, Checkpoint checkpoint, byte[] bytes) {
                    heldAtEpochEnds.add(trainer.arraysHeld());
                }
            };
            assertThat(trainer.train(recorder)).isTrue();
            assertThat(heldAtEpochEnds).hasSize(5);
            // from the second epoch on: the optimizer's buffers exist after the first step
            assertThat(heldAtEpochEnds.subList(1, 5)).containsOnly(heldAtEpochEnds.get(1));
        }
    }

    @Test
    void resumingFromACheckpointEndsInTheSameStateAsAnUnbrokenRun() {
        TrainingData data = data();
        TrainingOptions options = options("deps", 2).withLimits(128, 256, 6);
        byte[] unbroken;
        try (Trainer trainer = new Trainer(SPACE, data, options)) {
            Recorder recorder = new Recorder();
            trainer.train(recorder);
            unbroken = recorder.checkpoints.get(1);
        }
        byte[] first;
        try (Trainer crashed = new Trainer(SPACE, data, options)) {
            Recorder recorder = new Recorder();
            recorder.stopAfterCheckpoints = 1;
            assertThat(crashed.train(recorder)).isFalse();
            first = recorder.checkpoints.get(0);
        }
        byte[] resumed;
        try (Trainer restarted = new Trainer(SPACE, data, options)) {
            assertThat(restarted.resume(first)).isEqualTo(1);
            Recorder recorder = new Recorder();
            restarted.train(recorder);
            assertThat(recorder.progress.get(0).epoch()).isEqualTo(1);
            assertThat(recorder.progress.get(0).phase()).isEqualTo("shrinking");
            resumed = recorder.checkpoints.get(0);
        }
        Checkpoint a = Checkpoint.readState(unbroken);
        Checkpoint b = Checkpoint.readState(resumed);
        assertThat(b.epochsCompleted()).isEqualTo(a.epochsCompleted()).isEqualTo(2);
        assertThat(b.globalStep()).isEqualTo(a.globalStep());
        try (NDManager manager = NDManager.newBaseManager()) {
            var left = Checkpoint.read(unbroken, manager).arrays();
            var right = Checkpoint.read(resumed, manager).arrays();
            assertThat(right.supernet().size()).isEqualTo(left.supernet().size());
            for (int i = 0; i < left.supernet().size(); i++) {
                NDArray x = left.supernet().get(i);
                NDArray y = right.supernet().get(i);
                assertThat(y.getName()).isEqualTo(x.getName());
                assertThat(x.sub(y).abs().max().getFloat()).as(x.getName()).isLessThan(1e-5f);
            }
        }
    }

    @Test
    void aRunStoppedPartWayThroughEpochsResumesAtTheNextStepAndEndsAsAnUnbrokenRun() {
        // deps: a stop in the full model's epoch (dropout drawn on the largest subnet) and one in the
        // shrinking epoch (subnets sampled, ε ramping); the stops' steps are neither lost nor trained twice;
        // random erasing on, so that its draws are replayed too
        TrainingData data = data();
        TrainingOptions options = options("deps", 2).withLimits(128, 256, 6).toBuilder()
                .randomErase(0.5)
                .build();
        List<TrainingProgress> unbrokenProgress = new ArrayList<>();
        byte[] unbroken = trainStoppedAt(data, options, new ArrayList<>(), unbrokenProgress);
        List<byte[]> partWay = new ArrayList<>();
        List<TrainingProgress> progress = new ArrayList<>();
        byte[] resumed = trainStoppedAt(data, options, partWay, progress, 2, 10);

        Checkpoint first = Checkpoint.readState(partWay.get(0));
        assertThat(first.formatVersion()).isEqualTo(Checkpoint.PART_EPOCH_FORMAT_VERSION);
        assertThat(first.epochsCompleted()).isZero();
        assertThat(first.stepsIntoEpoch()).isEqualTo(2);
        assertThat(first.globalStep()).isEqualTo(2);
        Checkpoint second = Checkpoint.readState(partWay.get(1));
        assertThat(second.epochsCompleted()).isEqualTo(1);
        assertThat(second.stepsIntoEpoch()).isEqualTo(4);
        assertThat(second.phase()).isEqualTo("shrinking");
        // every global step trained once, in order, each at the loss and learning rate of the unbroken run
        assertThat(progress)
                .extracting(TrainingProgress::globalStep)
                .containsExactly(unbrokenProgress.stream()
                        .map(TrainingProgress::globalStep)
                        .toArray(Long[]::new));
        for (int i = 0; i < progress.size(); i++) {
            assertThat(progress.get(i).loss())
                    .as("mean loss of the epoch so far at step "
                            + progress.get(i).globalStep())
                    .isCloseTo(unbrokenProgress.get(i).loss(), org.assertj.core.data.Offset.offset(1e-5));
            assertThat(progress.get(i).learningRate())
                    .isEqualTo(unbrokenProgress.get(i).learningRate());
        }
        Checkpoint end = Checkpoint.readState(resumed);
        assertThat(end.formatVersion()).isEqualTo(Checkpoint.FORMAT_VERSION);
        assertThat(end.stepsIntoEpoch()).isZero();
        // an epoch's checkpoint is written as before the part-way ones existed: a reader of format 2 takes it
        assertThat(stateJson(resumed)).doesNotContain("stepsIntoEpoch", "epochLossSum");
        assertThat(stateJson(partWay.get(1))).contains("\"stepsIntoEpoch\":4");
        assertThat(end.globalStep()).isEqualTo(Checkpoint.readState(unbroken).globalStep());
        assertSameWeights(unbroken, resumed);
    }

    @Test
    void progressiveShrinkingStoppedPartWayDoesNotRedoTheEventsOfTheEpochsStart() {
        // 5 epochs: full, elastic-kernel x2 (teacher frozen at its start), elastic-depth-2, elastic-expand-2
        // (channels reorganised at its start); stops just after both starts: redone, the teacher would be
        // frozen again from the weights at the stop and the channels permuted twice
        TrainingData data = data();
        TrainingOptions options = options("progressive-shrinking", 5).withLimits(128, 256, 3);
        byte[] unbroken = trainStoppedAt(data, options, new ArrayList<>(), new ArrayList<>());
        List<byte[]> partWay = new ArrayList<>();
        byte[] resumed = trainStoppedAt(data, options, partWay, new ArrayList<>(), 4, 13);
        assertThat(partWay)
                .extracting(b -> Checkpoint.readState(b).phase())
                .containsExactly("elastic-kernel", "elastic-expand-2");
        assertThat(partWay)
                .extracting(b -> Checkpoint.readState(b).stepsIntoEpoch())
                .containsExactly(1, 1);
        assertSameWeights(unbroken, resumed);
    }

    @Test
    void aCheckpointPartWayThroughAnEpochIsRefusedWhereItsStepCannotBe() {
        TrainingData data = data();
        TrainingOptions options = options("sandwich", 2).withLimits(128, 256, 4);
        List<byte[]> partWay = new ArrayList<>();
        trainStoppedAt(data, options, partWay, new ArrayList<>(), 2);
        // the same options on 64 training images: 2 steps per epoch, so the checkpoint's step 2 of epoch 0
        // does not exist there (the run would skip into the next epoch's images)
        TrainingData small = TrainingData.prepare("generated", GeneratedImages.make(64 + 128, 200, 10, 5), 128, 1);
        try (Trainer trainer = new Trainer(SPACE, small, options)) {
            assertThatThrownBy(() -> trainer.resume(partWay.get(0)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("step 2 of epoch 0");
        }
    }

    @Test
    void depthExpansionSearchesADepthAndResumesWithItsDecisions() {
        TrainingData data = data();
        TrainingOptions options =
                options("depth-expansion", 5).withLimits(128, 64, 4).withTarget(0.99, 1);
        byte[] unbroken;
        Map<String, Object> report;
        try (Trainer trainer = new Trainer(SPACE, data, options)) {
            assertThat(trainer.supernet().exitHeads()).isEqualTo(7);
            Recorder recorder = new Recorder();
            assertThat(trainer.train(recorder)).isTrue();
            unbroken = recorder.checkpoints.get(recorder.checkpoints.size() - 1);
            report = trainer.scheduleReport();
            assertThat(recorder.progress.get(0).phase()).isEqualTo("warm-up");
            assertThat(recorder.progress)
                    .last()
                    .satisfies(p -> assertThat(p.phase()).contains("depth"));
            assertThat(trainer.reportedSubnets()).containsKeys("largest", "smallest", "optimal");
        }
        System.out.println("depth-expansion on generated data: " + report);
        assertThat((Integer) report.get("optimalDepth")).isBetween(1, 7);
        assertThat(report.get("validations")).isEqualTo(4);
        assertThat((Double) report.get("bestValidationTop1")).isPositive();
        Checkpoint last = Checkpoint.readState(unbroken);
        assertThat(last.exitHeads()).isEqualTo(7);
        assertThat(last.scheduleState()).contains("\"level\"");

        byte[] resumed;
        try (Trainer crashed = new Trainer(SPACE, data, options)) {
            Recorder recorder = new Recorder();
            recorder.stopAfterCheckpoints = 3;
            assertThat(crashed.train(recorder)).isFalse();
            try (Trainer restarted = new Trainer(SPACE, data, options)) {
                assertThat(restarted.resume(recorder.checkpoints.get(2))).isEqualTo(3);
                Recorder rest = new Recorder();
                restarted.train(rest);
                resumed = rest.checkpoints.get(rest.checkpoints.size() - 1);
            }
        }
        Checkpoint again = Checkpoint.readState(resumed);
        assertThat(again.scheduleState()).isEqualTo(last.scheduleState());
        assertThat(again.epochsCompleted()).isEqualTo(last.epochsCompleted());
        try (NDManager manager = NDManager.newBaseManager()) {
            var left = Checkpoint.read(unbroken, manager).arrays();
            var right = Checkpoint.read(resumed, manager).arrays();
            for (int i = 0; i < left.supernet().size(); i++) {
                NDArray x = left.supernet().get(i);
                assertThat(x.sub(right.supernet().get(i)).abs().max().getFloat())
                        .as(x.getName())
                        .isLessThan(1e-5f);
            }
        }
    }

    /**
     * Garbage collection must not change training: with DJL's scalar overloads autograd read
     * freed memory once the collector ran between forward and backward (see Scalars).
     */
    @Test
    void trainingUnderGarbageCollectionPressureIsFiniteAndRepeatable() throws InterruptedException {
        TrainingData data = data();
        TrainingOptions options = options("deps", 2).withLimits(128, 64, 8);
        Thread churn = new Thread(() -> {
            byte[][] garbage = new byte[512][];
            for (long n = 0; !Thread.currentThread().isInterrupted(); n++) {
                garbage[(int) (n % garbage.length)] = new byte[64 * 1024];
            }
        });
        churn.setDaemon(true);
        churn.start();
        try {
            List<byte[]> finals = new ArrayList<>();
            for (int run = 0; run < 3; run++) {
                try (Trainer trainer = new Trainer(SPACE, data, options)) {
                    Recorder recorder = new Recorder();
                    trainer.train(recorder);
                    finals.add(recorder.checkpoints.get(1));
                }
            }
            assertThat(finals.get(1)).isEqualTo(finals.get(0));
            assertThat(finals.get(2)).isEqualTo(finals.get(0));
        } finally {
            churn.interrupt();
            churn.join();
        }
    }

    @Test
    void resumeRefusesACheckpointOfOtherOptionsOrNoCheckpointAtAll() {
        TrainingData data = data();
        byte[] checkpoint;
        try (Trainer trainer = new Trainer(SPACE, data, options("deps", 1).withLimits(128, 64, 2))) {
            Recorder recorder = new Recorder();
            trainer.train(recorder);
            checkpoint = recorder.checkpoints.get(0);
        }
        try (Trainer other = new Trainer(SPACE, data, options("deps", 1).withLimits(128, 64, 3))) {
            assertThatThrownBy(() -> other.resume(checkpoint)).hasMessageContaining("other options");
            assertThatThrownBy(() -> other.resume("not a checkpoint".getBytes()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void absurdOptionsAreRefusedBeforeAnyWork() {
        TrainingOptions absurd =
                new TrainingOptions("warp-speed", 0, 1, -1, -1, 1.5, 1, 1, 1, 0, 1.5, 0, 0, -1, 1.5, 0, 1.5);
        assertThat(absurd.violations())
                .anySatisfy(v -> assertThat(v).startsWith("schedule:"))
                .anySatisfy(v -> assertThat(v).startsWith("epochs:"))
                .anySatisfy(v -> assertThat(v).startsWith("batchSize:"))
                .anySatisfy(v -> assertThat(v).startsWith("learningRate:"))
                .anySatisfy(v -> assertThat(v).startsWith("momentum:"))
                .anySatisfy(v -> assertThat(v).startsWith("warmupFraction:"))
                .anySatisfy(v -> assertThat(v).startsWith("targetAccuracy:"))
                .anySatisfy(v -> assertThat(v).startsWith("patience:"))
                .anySatisfy(v -> assertThat(v).startsWith("randomErase:"));
        assertThatThrownBy(() -> new Trainer(SPACE, data(), absurd)).hasMessageContaining("schedule:");
    }
}
