package dev.tailor.latency;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.tailor.catalogue.ExecutionProvider;
import dev.tailor.onnx.OnnxExport;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Times an ONNX model in ONNX Runtime the way the latency literature does: a fixed number of
 * intra-op threads, sequential execution, all graph optimisations, warm-up runs that are not
 * counted, then {@code runs} timed runs of one fixed random input; p50, p90, mean and standard
 * deviation of those.
 */
public final class LatencyMeter {

    private final int warmupRuns;
    private final int timedRuns;
    private final int threads;
    private final int batchSize;
    private final boolean cuda;
    private final long roundPauseMillis;

    private LatencyMeter(Builder builder) {
        this.warmupRuns = builder.warmupRuns;
        this.timedRuns = builder.timedRuns;
        this.threads = builder.threads;
        this.batchSize = builder.batchSize;
        this.cuda = builder.cuda;
        this.roundPauseMillis = builder.roundPauseMillis;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings; every one has a default (10 warm-up runs, 50 timed, 1 thread, batch 1, CPU). */
    public static final class Builder {
        private int warmupRuns = 10;
        private int timedRuns = 50;
        private int threads = 1;
        private int batchSize = 1;
        private boolean cuda;
        private long roundPauseMillis;

        private Builder() {}

        public Builder optWarmupRuns(int warmupRuns) {
            this.warmupRuns = warmupRuns;
            return this;
        }

        public Builder optTimedRuns(int timedRuns) {
            this.timedRuns = timedRuns;
            return this;
        }

        public Builder optThreads(int threads) {
            this.threads = threads;
            return this;
        }

        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * A pause between the rounds of the methods that time in rounds. A model that runs in a
         * tenth of a millisecond takes 200 runs in 20 ms, a window that one burst of other work on
         * the host (a garbage collection, a compilation, a neighbour on the other hyperthread) can
         * fill; spread over a second, such a burst slows a minority of the rounds.
         */
        public Builder optRoundPause(long millis) {
            this.roundPauseMillis = millis;
            return this;
        }

        /** Run on the CUDA execution provider instead of the CPU one. */
        public Builder optCuda(boolean cuda) {
            this.cuda = cuda;
            return this;
        }

        /**
         * Run on the device's execution provider. One this ONNX Runtime cannot use is refused, never
         * silently replaced by the CPU: a CPU timing stored for a GPU device would be a wrong number.
         *
         * @throws UnsupportedProviderException saying what is missing and what to run instead
         */
        public Builder optExecutionProvider(ExecutionProvider provider) {
            switch (provider) {
                case CPU -> this.cuda = false;
                case CUDA -> {
                    if (!cudaWorks()) {
                        throw new UnsupportedProviderException("the device runs models with the cuda execution"
                                + " provider, which this ONNX Runtime cannot use (it offers "
                                + OrtEnvironment.getAvailableProviders() + "): run the agent from a build with"
                                + " ONNX Runtime's GPU package (./mvnw -Pgpu package) on a host with CUDA 12 and"
                                + " cuDNN 9");
                    }
                    this.cuda = true;
                }
                default ->
                    throw new UnsupportedProviderException("the device runs models with the "
                            + provider.wireName() + " execution provider, which Tailor's agent does not support"
                            + " (it times on cpu or cuda); time the device another way and post the measurements");
            }
            return this;
        }

        public LatencyMeter build() {
            if (warmupRuns < 0 || timedRuns < 1 || threads < 1 || batchSize < 1) {
                throw new IllegalArgumentException("warm-up runs >= 0, timed runs, threads and batch size >= 1; got "
                        + warmupRuns + ", " + timedRuns + ", " + threads + ", " + batchSize);
            }
            if (roundPauseMillis < 0) {
                throw new IllegalArgumentException("the pause between rounds is >= 0 ms; got " + roundPauseMillis);
            }
            return new LatencyMeter(this);
        }
    }

    /** An execution provider this ONNX Runtime cannot use; the message says what to do. */
    public static final class UnsupportedProviderException extends IllegalStateException {
        UnsupportedProviderException(String message) {
            super(message);
        }
    }

    /** Whether ONNX Runtime's CUDA execution provider is in this build and can open a session here. */
    public static boolean cudaWorks() {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            return false;
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.addCUDA();
            return true;
        } catch (OrtException | RuntimeException e) {
            return false;
        }
    }

    public static String runtimeVersion() {
        return "onnxruntime " + OrtEnvironment.getEnvironment().getVersion();
    }

    /**
     * Times {@code model}, whose one input is a float tensor with a dynamic first (batch)
     * dimension; the rest of its shape comes from the model, so an exported subnet that takes the
     * dataset's images is timed with its resize.
     */
    public LatencyStats measure(byte[] model) {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = sessionOptions()) {
            try (OrtSession session = environment.createSession(model, options)) {
                double[] millis = new double[timedRuns];
                Input input = randomInput(environment, session);
                try (OnnxTensor tensor = input.tensor()) {
                    Map<String, OnnxTensor> feed = Map.of(input.name(), tensor);
                    for (int i = 0; i < warmupRuns; i++) {
                        session.run(feed).close();
                    }
                    for (int i = 0; i < timedRuns; i++) {
                        long start = System.nanoTime();
                        session.run(feed).close();
                        millis[i] = (System.nanoTime() - start) / 1e6;
                    }
                }
                return stats(millis, threads, batchSize, resolution(session, input.shape()), runtimeVersion());
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not time the model: " + e.getMessage(), e);
        }
    }

    private OrtSession.SessionOptions sessionOptions() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (cuda) {
                options.addCUDA();
            }
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /** The model's one input: its name, its shape at this meter's batch size, and a seeded Gaussian tensor of it. */
    private record Input(String name, long[] shape, OnnxTensor tensor) {}

    private Input randomInput(OrtEnvironment environment, OrtSession session) throws OrtException {
        Map.Entry<String, NodeInfo> input =
                session.getInputInfo().entrySet().iterator().next();
        long[] shape = ((TensorInfo) input.getValue().getInfo()).getShape().clone();
        shape[0] = batchSize;
        float[] values = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Random random = new Random(1);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return new Input(input.getKey(), shape, OnnxTensor.createTensor(environment, FloatBuffer.wrap(values), shape));
    }

    private void pause() {
        try {
            Thread.sleep(roundPauseMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while timing a model", e);
        }
    }

    /**
     * Times many models together: all sessions open, then {@code rounds} rounds (paused as
     * {@link Builder#optRoundPause} says) in which every model runs its share of the timed runs in turn. A host whose speed drifts over minutes (a
     * shared virtual machine) then slows every model alike instead of whichever ran at a bad time.
     */
    public List<LatencyStats> measureInterleaved(List<byte[]> models, int rounds) {
        Interleaved timed = timeInterleaved(models, rounds);
        List<LatencyStats> stats = new ArrayList<>();
        for (int m = 0; m < models.size(); m++) {
            stats.add(stats(
                    timed.millis()[m], threads, batchSize, timed.resolutions().get(m), runtimeVersion()));
        }
        return stats;
    }

    /**
     * Times many models together as {@link #measureInterleaved} does and gives each round's median per model:
     * {@code [round][model]}, for a caller that wants to tell a round the host slowed apart.
     */
    public double[][] measureRoundMedians(List<byte[]> models, int rounds) {
        Interleaved timed = timeInterleaved(models, rounds);
        int perRound = timed.millis()[0].length / rounds;
        double[][] medians = new double[rounds][models.size()];
        for (int round = 0; round < rounds; round++) {
            for (int m = 0; m < models.size(); m++) {
                double[] runs = Arrays.copyOfRange(timed.millis()[m], round * perRound, (round + 1) * perRound);
                Arrays.sort(runs);
                medians[round][m] = nearestRank(runs, 0.5);
            }
        }
        return medians;
    }

    /**
     * A timing taken in rounds, with how far its rounds' medians spread.
     *
     * @param stats over all runs of the kept attempt
     * @param fastestRound the kept attempt's least round median, ms
     * @param slowestRound its largest round median, ms
     * @param attempts how many attempts were timed
     */
    public record Steady(LatencyStats stats, double fastestRound, double slowestRound, int attempts) {}

    /**
     * Times {@code model} in {@code rounds} rounds , and
     * again while the slowest round's median exceeds the fastest's by more than {@code steadyRatio},
     * at most {@code attempts} times in all, keeping the attempt whose rounds agreed best: a burst
     * of other work on the host that slowed part of the timing is not reported as the model's.
     */
    public Steady measureSteady(byte[] model, int rounds, int attempts, double steadyRatio) {
        if (attempts < 1 || !(steadyRatio >= 1)) {
            throw new IllegalArgumentException(
                    "attempts >= 1 and a steady ratio >= 1; got " + attempts + ", " + steadyRatio);
        }
        Steady best = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            Interleaved timed = timeInterleaved(List.of(model), rounds);
            double[] runs = timed.millis()[0];
            double[] spread = roundSpread(runs, rounds);
            double fastest = spread[0];
            double slowest = spread[1];
            LatencyStats stats =
                    stats(runs, threads, batchSize, timed.resolutions().get(0), runtimeVersion());
            if (best == null || slowest / fastest < best.slowestRound() / best.fastestRound()) {
                best = new Steady(stats, fastest, slowest, attempt);
            }
            if (slowest <= steadyRatio * fastest) {
                return new Steady(best.stats(), best.fastestRound(), best.slowestRound(), attempt);
            }
            if (attempt < attempts) {
                pause();
            }
        }
        return new Steady(best.stats(), best.fastestRound(), best.slowestRound(), attempts);
    }

    /** The least and the largest median of {@code rounds} equal consecutive parts of {@code runs}. */
    static double[] roundSpread(double[] runs, int rounds) {
        int perRound = runs.length / rounds;
        double fastest = Double.POSITIVE_INFINITY;
        double slowest = 0;
        for (int round = 0; round < rounds; round++) {
            double[] part = Arrays.copyOfRange(runs, round * perRound, (round + 1) * perRound);
            Arrays.sort(part);
            double median = nearestRank(part, 0.5);
            fastest = Math.min(fastest, median);
            slowest = Math.max(slowest, median);
        }
        return new double[] {fastest, slowest};
    }

    private record Interleaved(double[][] millis, List<Integer> resolutions) {}

    private Interleaved timeInterleaved(List<byte[]> models, int rounds) {
        if (models.isEmpty() || rounds < 1) {
            throw new IllegalArgumentException("time at least one model in at least one round; got " + models.size()
                    + " models, " + rounds + " rounds");
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        int perRound = Math.max(1, timedRuns / rounds);
        List<OrtSession> sessions = new ArrayList<>();
        List<OnnxTensor> tensors = new ArrayList<>();
        List<Map<String, OnnxTensor>> feeds = new ArrayList<>();
        List<Integer> resolutions = new ArrayList<>();
        try (OrtSession.SessionOptions options = sessionOptions()) {
            for (byte[] model : models) {
                OrtSession session = environment.createSession(model, options);
                sessions.add(session);
                Input input = randomInput(environment, session);
                tensors.add(input.tensor());
                feeds.add(Map.of(input.name(), input.tensor()));
                resolutions.add(resolution(session, input.shape()));
                for (int i = 0; i < warmupRuns; i++) {
                    session.run(feeds.get(feeds.size() - 1)).close();
                }
            }
            double[][] millis = new double[models.size()][perRound * rounds];
            for (int round = 0; round < rounds; round++) {
                if (round > 0 && roundPauseMillis > 0) {
                    pause();
                }
                for (int m = 0; m < models.size(); m++) {
                    for (int i = 0; i < perRound; i++) {
                        long start = System.nanoTime();
                        sessions.get(m).run(feeds.get(m)).close();
                        millis[m][round * perRound + i] = (System.nanoTime() - start) / 1e6;
                    }
                }
            }
            return new Interleaved(millis, resolutions);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not time the models: " + e.getMessage(), e);
        } finally {
            tensors.forEach(OnnxTensor::close);
            for (OrtSession session : sessions) {
                try {
                    session.close();
                } catch (OrtException e) {
                    // closing is best effort
                }
            }
        }
    }

    /**
     * The resolution a model runs at: an exported subnet names it in its metadata, as its input may
     * be the dataset's images at another size, resized inside the graph; any other model runs at
     * its input's.
     */
    private static int resolution(OrtSession session, long[] inputShape) throws OrtException {
        String named = session.getMetadata().getCustomMetadata().get(OnnxExport.RESOLUTION_KEY);
        if (named != null) {
            return Integer.parseInt(named);
        }
        return inputShape.length == 4 ? (int) inputShape[2] : 1;
    }

    static LatencyStats stats(double[] millis, int threads, int batchSize, int resolution, String version) {
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0);
        double variance =
                Arrays.stream(sorted).map(t -> (t - mean) * (t - mean)).sum() / sorted.length;
        return new LatencyStats(
                nearestRank(sorted, 0.5),
                nearestRank(sorted, 0.9),
                mean,
                Math.sqrt(variance),
                sorted.length,
                threads,
                batchSize,
                resolution,
                version);
    }

    /** The nearest-rank percentile of sorted values. */
    static double nearestRank(double[] sorted, double fraction) {
        int rank = (int) Math.ceil(fraction * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
