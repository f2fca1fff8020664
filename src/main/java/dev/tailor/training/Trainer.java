package dev.tailor.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.supernet.ChannelPermutation;
import dev.tailor.supernet.ChannelReorganization;
import dev.tailor.supernet.Scalars;
import dev.tailor.supernet.Supernet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains one supernet with one schedule, epoch by epoch, handing a whole-state checkpoint to the
 * listener after each, and one of the steps done so far when it is stopped part-way through an
 * epoch. A trainer built with the same options and given the last checkpoint continues exactly
 * where the first stopped: the data order, augmentation, sampled subnets and dropout of an epoch
 * depend only on the seed and the epoch, and a run resumed part-way through one first draws again
 * what its steps done drew (see {@link #redraw}).
 */
public final class Trainer implements AutoCloseable {

    private final SearchSpace space;
    private final TrainingData data;
    private final TrainingOptions options;
    /**
     * Images per batch when batch norm is recalibrated (OFA: 200): each batch's own statistics
     * normalise it, so a calibration elsewhere must cut the sample the same way to agree.
     */
    public static final int CALIBRATION_BATCH = 200;

    private final TrainingDevice device;
    private final NDManager manager;
    private final Supernet supernet;
    private final NesterovSgd optimizer;
    private final Schedule schedule;
    private final ImageBatches trainBatches;
    private final ParameterStore store;
    private final int stepsPerEpoch;
    private final StepClock clock = new StepClock();

    private Supernet teacher;
    private Evaluator evaluator;
    private int nextEpoch;
    private long globalStep;
    /** Steps of {@link #nextEpoch} already trained (a run stopped part-way through it), and their summed loss. */
    private int stepsIntoEpoch;

    private double epochLossSum;

    public Trainer(SearchSpace space, TrainingData data, TrainingOptions options) {
        this(space, data, options, TrainingDevice.CPU);
    }

    /**
     * A trainer whose weights, optimizer state and batches live on {@code device}; evaluation runs
     * there too. The options, and so checkpoints, do not depend on the device.
     */
    public Trainer(SearchSpace space, TrainingData data, TrainingOptions options, TrainingDevice device) {
        List<String> problems = options.violations();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        if (data.train().channels() != space.inputChannels()) {
            throw new IllegalArgumentException("the dataset has " + data.train().channels() + " channels; search space "
                    + space.name() + " takes " + space.inputChannels());
        }
        this.space = space;
        this.data = data;
        this.options = options;
        this.device = device;
        this.manager = NDManager.newBaseManager(device.device());
        try {
            this.store = new ParameterStore(manager, false);
            GradMode.offForThisThread();
            Engine.getInstance().setRandomSeed((int) options.seed());
            if (options.batchSize() > data.train().size()) {
                // a batch would run past the shuffled order and fill up with copies of the first image
                throw new IllegalArgumentException("batch size " + options.batchSize() + " is larger than the "
                        + data.train().size() + " training images; give a batch size of at most that");
            }
            int fullSteps = Math.max(1, data.train().size() / options.batchSize());
            this.stepsPerEpoch =
                    options.maxStepsPerEpoch() > 0 ? Math.min(fullSteps, options.maxStepsPerEpoch()) : fullSteps;
            this.schedule = Schedules.create(space, options, stepsPerEpoch);
            this.supernet = Supernet.create(space, data.train().numClasses(), schedule.exitHeads(), manager);
            for (Pair<String, Parameter> named : supernet.getParameters()) {
                named.getValue().getArray().setName(named.getKey());
            }
            this.optimizer =
                    new NesterovSgd(supernet.getParameters(), options.momentum(), options.weightDecay(), manager);
            this.trainBatches = new ImageBatches(data.train(), data.normalization(), options.randomErase());
        } catch (RuntimeException e) {
            // no trainer to close: its native memory would stay behind
            manager.close();
            throw e;
        }
    }

    /** Arrays this trainer holds in native memory now, its steps' own included while one runs. */
    int arraysHeld() {
        return manager.getManagedArrays().size();
    }

    public Supernet supernet() {
        return supernet;
    }

    public TrainingDevice device() {
        return device;
    }

    /** Where this trainer's steps spent their time (for {@code bench training}). */
    public StepClock clock() {
        return clock;
    }

    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    /** The epoch the next {@link #train} call starts at (0 for a fresh run). */
    public int nextEpoch() {
        return nextEpoch;
    }

    public List<Schedule.Phase> phases() {
        return schedule.phases();
    }

    /** A phase of a planned run: its name and epochs {@code [startEpoch, endEpoch)}. */
    public record PlannedPhase(String name, int startEpoch, int endEpoch) {}

    /**
     * The phases a run with {@code options} would go through at {@code stepsPerEpoch}, without
     * building its network: a budget can be split into epochs before any training.
     */
    public static List<PlannedPhase> plannedPhases(SearchSpace space, TrainingOptions options, int stepsPerEpoch) {
        return Schedules.create(space, options, stepsPerEpoch).phases().stream()
                .map(phase -> new PlannedPhase(phase.name(), phase.startEpoch(), phase.endEpoch()))
                .toList();
    }

    /**
     * The supernet of a checkpoint, ready to evaluate and export subnets: built with the options
     * and search space the checkpoint records, on {@code data} (the run's dataset, for BN
     * recalibration and evaluation).
     */
    public static Trainer restore(byte[] checkpoint, TrainingData data) {
        Checkpoint state = Checkpoint.readState(checkpoint);
        Trainer trainer = new Trainer(SearchSpace.fromJson(state.searchSpace()), data, state.options());
        try {
            trainer.resume(checkpoint);
        } catch (RuntimeException e) {
            trainer.close();
            throw e;
        }
        return trainer;
    }

    /**
     * Continues from a checkpoint of a run with the same options and data.
     *
     * @return the epoch training will resume at
     */
    public int resume(byte[] checkpoint) {
        GradMode.offForThisThread();
        Checkpoint.Loaded loaded = Checkpoint.read(checkpoint, manager);
        Checkpoint state = loaded.state();
        if (!state.options().equals(options)) {
            throw new IllegalArgumentException("checkpoint was written with other options: " + state.options());
        }
        if (!SearchSpace.fromJson(state.searchSpace()).equals(space)) {
            throw new IllegalArgumentException("checkpoint is of search space " + state.searchSpace());
        }
        load(supernet, loaded.arrays().supernet());
        optimizer.load(loaded.arrays().optimizer());
        if (loaded.arrays().teacher() != null) {
            teacher = frozenCopy();
            load(teacher, loaded.arrays().teacher());
        }
        if (state.scheduleState() != null || schedule.saveState() != null) {
            schedule.restoreState(state.scheduleState());
        }
        if (state.stepsIntoEpoch() < 0
                || (state.stepsIntoEpoch() > 0
                        && (state.stepsIntoEpoch() >= stepsPerEpoch
                                || state.globalStep()
                                        != (long) state.epochsCompleted() * stepsPerEpoch + state.stepsIntoEpoch()))) {
            throw new IllegalArgumentException("checkpoint is at step " + state.stepsIntoEpoch() + " of epoch "
                    + state.epochsCompleted() + " (step " + state.globalStep() + " in all), which a run of "
                    + stepsPerEpoch + " steps per epoch never reaches; is it of another dataset?");
        }
        nextEpoch = state.epochsCompleted();
        globalStep = state.globalStep();
        stepsIntoEpoch = state.stepsIntoEpoch();
        epochLossSum = state.epochLossSum();
        return nextEpoch;
    }

    /** Steps of the epoch {@link #train} starts at that an earlier run trained (0 at an epoch's start). */
    public int stepsIntoNextEpoch() {
        return stepsIntoEpoch;
    }

    private static void load(Supernet target, NDList arrays) {
        Map<String, NDArray> byName = new HashMap<>();
        for (NDArray array : arrays) {
            byName.put(array.getName(), array);
        }
        for (Pair<String, Parameter> named : target.getParameters()) {
            NDArray saved = byName.get(named.getKey());
            NDArray current = named.getValue().getArray();
            if (saved == null || !saved.getShape().equals(current.getShape())) {
                throw new IllegalArgumentException("checkpoint has no fitting array for " + named.getKey());
            }
            current.set(new NDIndex(":"), saved);
        }
    }

    private static NDList arrays(Supernet source) {
        NDList list = new NDList();
        for (Pair<String, Parameter> named : source.getParameters()) {
            NDArray array = named.getValue().getArray();
            array.setName(named.getKey());
            list.add(array);
        }
        return list;
    }

    private Supernet frozenCopy() {
        Supernet copy = Supernet.create(space, data.train().numClasses(), schedule.exitHeads(), manager);
        for (Pair<String, Parameter> named : copy.getParameters()) {
            named.getValue().getArray().setName(named.getKey());
            named.getValue().getArray().setRequiresGradient(false);
        }
        return copy;
    }

    /** Trains the remaining epochs. Returns false when the listener asked it to stop. */
    public boolean train(TrainingListener listener) {
        GradMode.offForThisThread();
        long totalSteps = (long) options.epochs() * stepsPerEpoch;
        long startedAt = System.nanoTime();
        long stepsThisRun = 0;
        for (int epoch = nextEpoch; epoch < options.epochs() && !schedule.finished(); epoch++) {
            // a run resumed part-way through an epoch had its start's events (a teacher frozen, channels
            // reorganised, the optimizer reset) before the checkpoint; doing them again would redo them
            int firstStep = stepsIntoEpoch;
            if (firstStep == 0) {
                applyEpochStart(epoch);
            }
            Engine.getInstance().setRandomSeed((int) (options.seed() * 1_000_003L + epoch));
            Random sampling = new Random(options.seed() * 31 + epoch);
            Random augmentation = new Random(options.seed() * 17 + epoch);
            int[] order = shuffled(data.train().size(), new Random(options.seed() * 13 + epoch));
            double lossSum = firstStep > 0 ? epochLossSum : 0;
            if (firstStep > 0) {
                redraw(epoch, firstStep, order, sampling, augmentation);
            }
            String phase = schedule.phaseAt(epoch).name();
            for (int step = firstStep; step < stepsPerEpoch; step++) {
                if (listener.stopRequested()) {
                    if (step > firstStep) {
                        stepsIntoEpoch = step;
                        epochLossSum = lossSum;
                        Checkpoint state = checkpointState(phase);
                        listener.onStoppedPartWay(epoch, step, state, () -> state.write(checkpointArrays()));
                    }
                    return false;
                }
                int[] rows = batch(order, step);
                double lr = schedule.learningRate(globalStep);
                lossSum += trainStep(rows, schedule.plan(epoch, globalStep, sampling), augmentation, lr);
                globalStep++;
                stepsThisRun++;
                double seconds = (System.nanoTime() - startedAt) / 1e9;
                double imagesPerSecond = stepsThisRun * options.batchSize() / seconds;
                listener.onProgress(new TrainingProgress(
                        epoch,
                        options.epochs(),
                        step + 1,
                        stepsPerEpoch,
                        globalStep,
                        totalSteps,
                        phase,
                        lossSum / (step + 1),
                        lr,
                        schedule.epsilon(globalStep - 1),
                        imagesPerSecond,
                        (totalSteps - globalStep) * seconds / stepsThisRun,
                        device.name()));
            }
            int validatedEpoch = epoch;
            schedule.validateAfter(epoch)
                    .ifPresent(config -> schedule.validated(validatedEpoch, validationTop1(config)));
            nextEpoch = epoch + 1;
            stepsIntoEpoch = 0;
            epochLossSum = 0;
            Checkpoint state = checkpointState(phase);
            listener.onCheckpoint(epoch, state, state.write(checkpointArrays()));
        }
        return true;
    }

    private int[] batch(int[] order, int step) {
        return java.util.Arrays.copyOfRange(order, step * options.batchSize(), (step + 1) * options.batchSize());
    }

    /**
     * Draws again, without training, what the first {@code steps} steps of {@code epoch} drew: the
     * sampled subnets, the augmentation of their batches and their dropout masks. The generators
     * then stand where an unbroken run's stand at step {@code steps}, so its remaining steps train
     * the same subnets on the same images (TrainerTest).
     */
    private void redraw(int epoch, int steps, int[] order, Random sampling, Random augmentation) {
        long stepAtEpochStart = globalStep - steps;
        try (NDManager scratch = manager.newSubManager()) {
            for (int step = 0; step < steps; step++) {
                int[] rows = batch(order, step);
                List<SubnetRun> runs = schedule.plan(epoch, stepAtEpochStart + step, sampling);
                trainBatches.prepare(rows, augmentation);
                for (SubnetRun run : runs) {
                    if (run.dropout()) {
                        supernet.drawDropoutMask(scratch, rows.length);
                    }
                }
            }
        }
    }

    private void applyEpochStart(int epoch) {
        for (Schedule.EpochStart event : schedule.atEpochStart(epoch)) {
            if (event instanceof Schedule.EpochStart.ReorganizeChannels reorganize) {
                List<ChannelPermutation> permutations =
                        ChannelReorganization.reorganize(supernet, reorganize.expandStage());
                optimizer.follow(permutations);
            } else if (event instanceof Schedule.EpochStart.FreezeTeacher) {
                if (teacher == null) {
                    teacher = frozenCopy();
                }
                load(teacher, arrays(supernet));
            } else if (event instanceof Schedule.EpochStart.RestoreFrozenWeights) {
                load(supernet, arrays(teacher));
            } else if (event instanceof Schedule.EpochStart.ResetOptimizer) {
                optimizer.reset();
            }
        }
    }

    private double trainStep(int[] rows, List<SubnetRun> runs, Random augmentation, double lr) {
        double firstLoss;
        // Every array of the step belongs to this manager (results go to their receiver's manager,
        // and the supernet hands weight slices to the activations'), so all of it, scalars that
        // autograd keeps included, lives until the step is over; see Scalars.
        clock.start();
        try (NDManager step = manager.newSubManager()) {
            float[] prepared = trainBatches.prepare(rows, augmentation);
            NDArray labels = trainBatches.labels(step, rows);
            Map<Integer, NDArray> images = new HashMap<>();
            Map<Integer, NDArray> frozenLogits = new HashMap<>();
            for (SubnetRun run : runs) {
                images.computeIfAbsent(run.config().resolution(), r -> trainBatches.images(step, prepared, r));
            }
            clock.lap(StepClock.Part.DATA);
            for (SubnetRun run : runs) {
                if (run.target() == SubnetRun.Target.LABELS_AND_FROZEN_TEACHER) {
                    // OFA's teacher runs in training mode (batch statistics) without gradients
                    frozenLogits.computeIfAbsent(run.config().resolution(), r -> {
                        teacher.setActiveSubnet(DepsSchedule.atResolution(space.largest(), r));
                        return teacher.logits(store, images.get(r), true, false).stopGradient();
                    });
                }
            }
            clock.lap(StepClock.Part.TEACHER);
            firstLoss = Double.NaN;
            boolean first = true;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray inPlaceTeacher = null;
                for (SubnetRun run : runs) {
                    supernet.setActiveSubnet(run.config());
                    NDArray logits =
                            supernet.logits(store, images.get(run.config().resolution()), true, run.dropout());
                    NDArray loss = switch (run.target()) {
                        case LABELS -> Losses.labelSmoothedCrossEntropy(logits, labels, options.labelSmoothing());
                        case IN_PLACE_TEACHER -> Losses.distillation(logits, inPlaceTeacher);
                        case LABELS_AND_FROZEN_TEACHER ->
                            Losses.labelSmoothedCrossEntropy(logits, labels, options.labelSmoothing())
                                    .add(Losses.distillation(
                                            logits,
                                            frozenLogits.get(run.config().resolution())));
                    };
                    if (inPlaceTeacher == null && run.target() == SubnetRun.Target.LABELS) {
                        inPlaceTeacher = logits.stopGradient();
                    }
                    double value = loss.getFloat();
                    boolean reported = first;
                    if (first) {
                        firstLoss = value;
                        first = false;
                    }
                    if (!Double.isFinite(value) && (run.weight() > 0 || reported)) {
                        // before the optimizer's step: summed into the gradients, one subnet's NaN reached every
                        // shared weight, and an epoch's last step wrote it into the checkpoint (a run of weight 0,
                        // before deps's ramp, reaches no weight)
                        throw new IllegalStateException("training diverged: the loss of subnet "
                                + run.config().canonicalJson() + " became " + value + " at step " + globalStep
                                + "; lower the learning rate");
                    }
                    clock.lap(StepClock.Part.FORWARD);
                    if (run.weight() > 0) {
                        collector.backward(run.weight() == 1 ? loss : loss.mul(Scalars.of(loss, (float) run.weight())));
                    }
                    clock.lap(StepClock.Part.BACKWARD);
                }
            }
        }
        clock.lap(StepClock.Part.RELEASE);
        optimizer.step(lr);
        clock.lap(StepClock.Part.OPTIMIZER);
        clock.stepDone();
        return firstLoss;
    }

    private static int[] shuffled(int size, Random random) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    private Checkpoint checkpointState(String phase) {
        return new Checkpoint(
                stepsIntoEpoch > 0 ? Checkpoint.PART_EPOCH_FORMAT_VERSION : Checkpoint.FORMAT_VERSION,
                schedule.name(),
                options,
                space.toJson(),
                data.datasetName(),
                data.train().classNames(),
                data.normalization().mean(),
                data.normalization().std(),
                nextEpoch,
                globalStep,
                phase,
                schedule.epsilon(Math.max(0, globalStep - 1)),
                schedule.exitHeads(),
                schedule.saveState(),
                stepsIntoEpoch,
                epochLossSum);
    }

    private Checkpoint.Arrays checkpointArrays() {
        return new Checkpoint.Arrays(arrays(supernet), optimizer.state(), teacher == null ? null : arrays(teacher));
    }

    /**
     * Top-1 accuracy of each config after recalibrating its batch norms on a fixed sample of
     * training images, on the validation split and on the test set.
     */
    public List<SubnetAccuracy> evaluate(List<SubnetConfig> configs) {
        GradMode.offForThisThread();
        return new Evaluator(supernet, data, options, device.device()).evaluate(configs);
    }

    /**
     * Validation top-1 (a fraction) of one config after recalibrating its batch norms on the run's
     * fixed calibration sample, as a catalogue build measures every subnet; the calibration and
     * validation images are prepared once per resolution and reused by later calls.
     */
    public double calibratedValidationTop1(SubnetConfig config) {
        GradMode.offForThisThread();
        return evaluator().calibratedValidationTop1(config);
    }

    private Evaluator evaluator() {
        if (evaluator == null) {
            evaluator = new Evaluator(supernet, data, options, device.device());
        }
        return evaluator;
    }

    /**
     * The validation split as a subnet at {@code resolution} takes it, for checking exported models;
     * prepared once per resolution (the arrays are shared: do not write to them).
     */
    public LabelledImages validationImages(int resolution) {
        return evaluator().validationSample(resolution);
    }

    /** The test split as a subnet at {@code resolution} takes it; prepared once per resolution (shared). */
    public LabelledImages testImages(int resolution) {
        return evaluator().testSample(resolution);
    }

    /**
     * The run's fixed batch-norm calibration sample at {@code resolution}, the images every subnet's
     * statistics are re-estimated on; prepared once per resolution (shared: do not write to them).
     */
    public LabelledImages calibrationImages(int resolution) {
        return evaluator().calibrationSample(resolution);
    }

    public TrainingData data() {
        return data;
    }

    /** The subnets a finished run reports, by role: largest, smallest and any the schedule chose. */
    public Map<String, SubnetConfig> reportedSubnets() {
        return schedule.reportedSubnets(space);
    }

    /** What the schedule found (depth-expansion: the optimal depth); empty for most schedules. */
    public Map<String, Object> scheduleReport() {
        return schedule.report();
    }

    /**
     * Validation top-1 with the running statistics training left, as ODN validates between epochs;
     * only one subnet trains at a time there, so they are that subnet's own.
     */
    private double validationTop1(SubnetConfig config) {
        return evaluator().top1(evaluator().validation(), config);
    }

    @Override
    public void close() {
        manager.close();
    }
}
