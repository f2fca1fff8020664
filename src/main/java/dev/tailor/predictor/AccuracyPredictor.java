package dev.tailor.predictor;

import java.util.concurrent.ForkJoinTask;

/**
 * OFA's accuracy predictor (algorithms.md 1.4): an MLP from a subnet's one-hot encoding to its
 * accuracy as a fraction, {@code mlp(encoding) + baseAccuracy}, where the base is the mean of the
 * training targets and is not trained. Immutable; scoring is safe from any number of threads.
 */
public final class AccuracyPredictor {

    /** Below this many rows a batch is scored on the calling thread alone; the hand-off costs more. */
    private static final int ROWS_WORTH_SPLITTING = 64;

    /** Rows taken through the network together; the buffers for them stay small (3 x 100 KB at 400 wide). */
    private static final int SCORE_CHUNK_ROWS = 64;

    private final MlpWeights weights;
    private final double baseAccuracy;

    AccuracyPredictor(MlpWeights weights, double baseAccuracy) {
        this.weights = weights;
        this.baseAccuracy = baseAccuracy;
    }

    /**
     * Trains on {@code encodings} (all the same length) and {@code targets} (accuracies as
     * fractions in [0, 1]); deterministic in the data and {@code options}, seed included.
     */
    public static AccuracyPredictor fit(float[][] encodings, double[] targets, FitOptions options) {
        return MlpTraining.fit(encodings, targets, options);
    }

    public int inputs() {
        return weights.inputs;
    }

    public int hidden() {
        return weights.hidden;
    }

    public double baseAccuracy() {
        return baseAccuracy;
    }

    public double score(float[] encoding) {
        return score(new float[][] {encoding})[0];
    }

    /**
     * Predicted accuracies, one per encoding. Rows are independent and each is computed in the same
     * order whichever thread takes it, so splitting a large batch over two threads changes no bit.
     */
    public double[] score(float[][] encodings) {
        for (int i = 0; i < encodings.length; i++) {
            if (encodings[i].length != weights.inputs) {
                throw new IllegalArgumentException("encoding " + i + " has " + encodings[i].length
                        + " entries; this predictor takes " + weights.inputs);
            }
        }
        double[] scores = new double[encodings.length];
        int rows = encodings.length;
        if (rows < ROWS_WORTH_SPLITTING || Runtime.getRuntime().availableProcessors() < 2) {
            scoreRows(encodings, 0, rows, scores);
            return scores;
        }
        int half = rows / 2;
        ForkJoinTask<?> secondHalf = ForkJoinTask.adapt(() -> scoreRows(encodings, half, rows, scores))
                .fork();
        scoreRows(encodings, 0, half, scores);
        // if no pool thread has picked it up yet, do it here rather than wait for one
        if (secondHalf.tryUnfork()) {
            secondHalf.invoke();
        } else {
            secondHalf.join();
        }
        return scores;
    }

    private void scoreRows(float[][] encodings, int from, int to, double[] scores) {
        int chunk = Math.min(SCORE_CHUNK_ROWS, to - from);
        int hidden = weights.hidden;
        float[][] h1 = new float[chunk][hidden];
        float[][] h2 = new float[chunk][hidden];
        float[][] h3 = new float[chunk][hidden];
        float[] out = new float[chunk];
        float[][] inputs = new float[chunk][];
        int[] indices = new int[Math.max(weights.inputs, hidden)];
        for (int start = from; start < to; start += chunk) {
            int rows = Math.min(chunk, to - start);
            System.arraycopy(encodings, start, inputs, 0, rows);
            weights.forward(inputs, rows, h1, h2, h3, out, indices);
            for (int r = 0; r < rows; r++) {
                scores[start + r] = out[r] + baseAccuracy;
            }
        }
    }

    /** A self-describing, versioned byte form; the same model always gives the same bytes. */
    public byte[] toBytes() {
        return PredictorBytes.write(weights, baseAccuracy);
    }

    public static AccuracyPredictor fromBytes(byte[] bytes) {
        return PredictorBytes.read(bytes);
    }

    /** The weights themselves, for tests that recompute the forward pass another way. */
    MlpWeights weights() {
        return weights;
    }
}
