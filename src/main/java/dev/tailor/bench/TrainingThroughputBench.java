package dev.tailor.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.tailor.cost.SubnetCosts;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import dev.tailor.supernet.StaticSubnet;
import dev.tailor.supernet.Supernet;
import dev.tailor.training.TrainingData;
import java.io.PrintStream;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Where training time goes on this machine: libtorch's fp32 matrix multiply as the ceiling, the
 * largest subnet's forward and backward through the elastic supernet and through a static
 * network of the same weights, and whole training steps (data, all subnets, optimizer) of the
 * full-model and sandwich phases.
 */
final class TrainingThroughputBench {

    private static final int BATCH = 128;
    private static final int WARMUP = 3;

    /**
     * Untimed steps of each kind before the rounds: a sandwich step's random subnets meet new shapes, and
     * oneDNN builds a kernel for each shape the first time, so its first rounds ran 5-10 % slower than
     * its later ones after 3.
     */
    static final int TURN_WARMUP = 20;

    private final SearchSpace space;
    private final TrainingData data;
    private final int steps;
    private final int rounds;
    private final int turnSteps;
    private final TorchPeer peer;
    private final PrintStream out;
    private String peerDescription = "";
    private BenchReport roundsTable;
    private final StringBuilder peerMissing = new StringBuilder();

    TrainingThroughputBench(
            SearchSpace space,
            TrainingData data,
            int steps,
            int rounds,
            int turnSteps,
            TorchPeer peer,
            PrintStream out) {
        this.space = space;
        this.data = data;
        this.steps = steps;
        this.rounds = rounds;
        this.turnSteps = turnSteps;
        this.peer = peer;
        this.out = out;
    }

    /**
     * Why {@code rounds} rounds of {@code steps} steps cannot run on {@code trainImages} images, if they
     * cannot: each trainer's steps, warm-up included, come from one pass over them.
     */
    static java.util.Optional<String> stepsThatDoNotFit(int rounds, int steps, int trainImages) {
        long trainerSteps = TURN_WARMUP + (long) rounds * steps;
        long epochSteps = trainImages / BATCH;
        if (trainerSteps < epochSteps) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("--rounds " + rounds + " x --steps " + steps + ": a trainer's steps (with "
                + TURN_WARMUP + " to warm up) must fit in one pass over the " + trainImages + " training images, at"
                + " most " + Math.max(0, epochSteps - 1) + " steps of " + BATCH);
    }

    /** The summary table (medians over the rounds) and the rounds one by one. */
    List<BenchReport> run() {
        Engine.getInstance();
        JniUtils.setGradMode(false);
        BenchReport report = new BenchReport(
                "Training throughput", List.of("what", "images/s", "achieved GFLOP/s", "ms per step", "notes"));
        int classes = data.train().numClasses();
        long largestMacs = macs(space.largest(), classes);
        double matmul = matmulGflops(1024);
        report.row("libtorch fp32 matmul 1024x1024", "-", matmul, "-", "the same engine's dense ceiling");
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            Supernet supernet = Supernet.create(space, classes, manager);
            NDArray images = manager.randomNormal(
                    new Shape(BATCH, space.inputChannels(), space.maxResolution(), space.maxResolution()));
            NDArray labels = manager.randomInteger(0, classes, new Shape(BATCH), ai.djl.ndarray.types.DataType.INT32);
            supernet.setActiveSubnet(space.largest());
            ParameterStore store = new ParameterStore(manager, false);
            double elastic = forwardBackward(x -> supernet.logits(store, x, true, false), images, labels);
            report.row(
                    "largest subnet through the elastic supernet, forward+backward",
                    BATCH / elastic,
                    gflops(largestMacs, BATCH / elastic),
                    elastic * 1000,
                    "no optimizer, no data loading");
            try (StaticSubnet fixed = StaticSubnet.extract(supernet, space.largest(), manager)) {
                for (NDArray weight : fixed.weights()) {
                    weight.setRequiresGradient(true);
                }
                double plain = forwardBackward(x -> fixed.logits(x, true), images, labels);
                report.row(
                        "same network as a static DJL model, forward+backward",
                        BATCH / plain,
                        gflops(largestMacs, BATCH / plain),
                        plain * 1000,
                        String.format(java.util.Locale.ROOT, "elastic/static time %.2f", elastic / plain));
            }
        }
        ThroughputRounds measured = rounds(out);
        String spread = "median of %d rounds (%.4g to %.4g)";
        report.row(
                "trainer step, full-model phase (largest only)",
                measured.medianFullModel(),
                gflops(largestMacs, measured.medianFullModel()),
                BATCH / measured.medianFullModel() * 1000,
                "data, augmentation, optimizer included; "
                        + String.format(
                                java.util.Locale.ROOT,
                                spread,
                                rounds,
                                measured.min(ThroughputRounds.Round::fullModel),
                                measured.max(ThroughputRounds.Round::fullModel)));
        long sandwichMacs = largestMacs + macs(space.smallest(), classes) + 2 * meanRandomMacs(classes);
        report.row(
                "trainer step, sandwich (largest + smallest + 2 random)",
                measured.medianSandwich(),
                gflops(sandwichMacs, measured.medianSandwich()),
                BATCH / measured.medianSandwich() * 1000,
                "FLOPs from the expected MACs of the four subnets; "
                        + String.format(
                                java.util.Locale.ROOT,
                                spread,
                                rounds,
                                measured.min(ThroughputRounds.Round::sandwich),
                                measured.max(ThroughputRounds.Round::sandwich)));
        if (measured.hasPeer()) {
            report.row(
                    "PyTorch peer: largest subnet as a static eager network (torch_peer.py), training step",
                    measured.medianPeer(),
                    gflops(largestMacs, measured.medianPeer()),
                    BATCH / measured.medianPeer() * 1000,
                    peerDescription + "; "
                            + String.format(
                                    java.util.Locale.ROOT,
                                    spread,
                                    rounds,
                                    measured.min(ThroughputRounds.Round::peer),
                                    measured.max(ThroughputRounds.Round::peer)));
            report.note(String.format(
                    java.util.Locale.ROOT,
                    "Against the peer, in rounds where Tailor's two steps and the peer take turns of %d steps:"
                            + " full-model step %.2fx, sandwich step %.2fx, the medians of the %d rounds' own ratios"
                            + " (%.2fx to %.2fx and %.2fx to %.2fx; images/s over the peer's images/s; issue 10's"
                            + " targets: 2.5x and 1.2x). Rates taken one after the other do not compare here: this"
                            + " machine's speed shifts by a fifth for tens of seconds at a time.",
                    turnSteps,
                    measured.medianFullModelRatio(),
                    measured.medianSandwichRatio(),
                    rounds,
                    measured.min(ThroughputRounds.Round::fullModelRatio),
                    measured.max(ThroughputRounds.Round::fullModelRatio),
                    measured.min(ThroughputRounds.Round::sandwichRatio),
                    measured.max(ThroughputRounds.Round::sandwichRatio)));
        } else {
            report.row("PyTorch peer (torch_peer.py)", "-", "-", "-", "not run: " + peerMissing);
        }
        report.note(String.format(
                java.util.Locale.ROOT,
                "Batch %d at %dx%d; %d timed steps of each kind per round, in turns of %d steps (the order rotating from turn to"
                        + " turn), after %d warm-up steps of each (forward+backward rows: %d). Largest subnet: %d MACs"
                        + " per image."
                        + " Achieved GFLOP/s counts a training step as 3x the forward pass's 2 FLOPs per MAC."
                        + " libtorch intra-op threads %d, inter-op threads %d; the peer ran with the same intra-op"
                        + " threads.",
                BATCH,
                space.maxResolution(),
                space.maxResolution(),
                steps,
                turnSteps,
                TURN_WARMUP,
                WARMUP,
                largestMacs,
                JniUtils.getNumThreads(),
                JniUtils.getNumInteropThreads()));
        return List.of(report, roundsTable);
    }

    /**
     * Rounds of full-model steps, sandwich steps and the peer's, taking turns of {@code turnSteps} steps
     * within each round, so that every ratio compares rates measured within seconds of each other. If the
     * peer cannot start or fails, the rounds go on without it.
     */
    private ThroughputRounds rounds(PrintStream progress) {
        int threads = JniUtils.getNumThreads();
        long trainerSteps = TURN_WARMUP + (long) rounds * steps;
        ThroughputRounds measured;
        try (TrainerTurns fullModel =
                        new TrainerTurns(space, data, "deps", BATCH, trainerSteps, "bench-full-model-steps");
                TrainerTurns sandwich =
                        new TrainerTurns(space, data, "sandwich", BATCH, trainerSteps, "bench-sandwich-steps");
                TorchPeer.Steps peerSteps =
                        peerMissing.isEmpty() ? peer.start(threads, peerMissing).orElse(null) : null) {
            if (peerSteps != null) {
                peerDescription = peerSteps.description();
            }
            fullModel.run(TURN_WARMUP);
            sandwich.run(TURN_WARMUP);
            StepTurns peerTurns = peerSteps;
            if (peerSteps != null) {
                try {
                    peerSteps.run(TURN_WARMUP);
                } catch (IllegalStateException e) {
                    peerMissing.append(e.getMessage());
                    peerTurns = null;
                }
            }
            measured = ThroughputRounds.inTurns(
                    fullModel, sandwich, peerTurns, rounds, steps, turnSteps, BATCH, new ThroughputRounds.Progress() {
                        @Override
                        public void round(int index, ThroughputRounds.Round round) {
                            progress.printf(
                                    java.util.Locale.ROOT,
                                    "bench: round %d/%d: full-model %.1f images/s, sandwich %.1f, peer %s%n",
                                    index,
                                    rounds,
                                    round.fullModel(),
                                    round.sandwich(),
                                    round.hasPeer()
                                            ? String.format(java.util.Locale.ROOT, "%.1f", round.peer())
                                            : "not run (" + peerMissing + ")");
                        }

                        @Override
                        public void peerFailed(String why) {
                            peerMissing.append(why);
                        }
                    });
        }
        roundsTable = new BenchReport(
                "Rounds",
                List.of(
                        "round",
                        "full-model images/s",
                        "sandwich images/s",
                        "peer images/s",
                        "full-model / peer",
                        "sandwich / peer"));
        int index = 1;
        for (ThroughputRounds.Round round : measured.rounds()) {
            roundsTable.row(
                    index++,
                    round.fullModel(),
                    round.sandwich(),
                    round.hasPeer() ? round.peer() : "-",
                    round.hasPeer() ? round.fullModelRatio() : "-",
                    round.hasPeer() ? round.sandwichRatio() : "-");
        }
        return measured;
    }

    private long macs(SubnetConfig config, int classes) {
        return SubnetCosts.of(SubnetPlan.of(space, config, classes)).macs();
    }

    private long meanRandomMacs(int classes) {
        Random random = new Random(7);
        long sum = 0;
        for (int i = 0; i < 1000; i++) {
            sum += macs(space.sample(random), classes);
        }
        return sum / 1000;
    }

    private static double gflops(long macsPerImage, double imagesPerSecond) {
        return 6.0 * macsPerImage * imagesPerSecond / 1e9;
    }

    /**
     * Seconds per forward+backward of a batch. The input is copied into each step's manager so that
     * the step's activations (which belong to their input's manager) are freed with the step.
     */
    private double forwardBackward(UnaryOperator<NDArray> logits, NDArray images, NDArray labels) {
        long start = 0;
        for (int i = 0; i < WARMUP + steps; i++) {
            if (i == WARMUP) {
                start = System.nanoTime();
            }
            try (NDManager step = labels.getManager().newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray input = images.duplicate();
                input.attach(step);
                NDArray out = logits.apply(input);
                out.attach(step);
                NDArray target = labels.duplicate();
                target.attach(step);
                NDArray loss = out.logSoftmax(1)
                        .mul(target.oneHot((int) out.getShape().get(1)))
                        .sum()
                        .neg();
                loss.attach(step);
                collector.backward(loss);
            }
        }
        return (System.nanoTime() - start) / 1e9 / steps;
    }

    private static double matmulGflops(int n) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.randomNormal(new Shape(n, n));
            NDArray b = manager.randomNormal(new Shape(n, n));
            for (int i = 0; i < WARMUP; i++) {
                a.matMul(b).close();
            }
            int repeats = 10;
            long start = System.nanoTime();
            for (int i = 0; i < repeats; i++) {
                a.matMul(b).close();
            }
            double seconds = (System.nanoTime() - start) / 1e9 / repeats;
            return 2.0 * n * n * n / seconds / 1e9;
        }
    }
}
