package dev.tailor.predictor;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mini-batch training of {@link MlpWeights} on mean squared error with {@link Adam}, as OFA trains
 * its predictor: targets in [0, 1], the output offset by their mean, data reshuffled every epoch and
 * the last short batch kept (a DataLoader with shuffle on and drop_last off). Single-threaded and
 * in a fixed order, and Java never reorders float arithmetic (vectorised code rounds as scalar code
 * does), so the same data, options and seed give bit-identical weights on any JVM.
 */
final class MlpTraining {

    private final MlpWeights weights;
    private final MlpWeights grads;
    private final List<float[]> gradArrays;
    private final double base;
    private final float[][] h1;
    private final float[][] h2;
    private final float[][] h3;
    private final float[][] dz1;
    private final float[][] dz2;
    private final float[][] dz3;
    private final float[] column;
    private final float[][] inputs;
    private final float[] out;
    private final float[][] w2ByOutput;
    private final float[][] w3ByOutput;
    private final int[] indices;

    private MlpTraining(MlpWeights weights, double base, int batchSize) {
        this.weights = weights;
        this.base = base;
        int hidden = weights.hidden;
        grads = MlpWeights.zeros(weights.inputs, hidden);
        gradArrays = grads.arrays();
        h1 = new float[batchSize][hidden];
        h2 = new float[batchSize][hidden];
        h3 = new float[batchSize][hidden];
        dz1 = new float[batchSize][hidden];
        dz2 = new float[batchSize][hidden];
        dz3 = new float[batchSize][hidden];
        column = new float[batchSize];
        inputs = new float[batchSize][];
        out = new float[batchSize];
        w2ByOutput = new float[hidden][hidden];
        w3ByOutput = new float[hidden][hidden];
        indices = new int[Math.max(weights.inputs, Math.max(hidden, batchSize))];
    }

    static AccuracyPredictor fit(float[][] encodings, double[] targets, FitOptions options) {
        int inputs = checkedInputs(encodings, targets);
        double base = 0;
        for (double target : targets) {
            base += target;
        }
        base /= targets.length;
        SplittableRandom random = new SplittableRandom(options.seed());
        MlpWeights weights = MlpWeights.initialised(inputs, options.hidden(), random);
        int batchSize = Math.min(options.batchSize(), encodings.length);
        MlpTraining training = new MlpTraining(weights, base, batchSize);
        Adam adam = new Adam(weights.arrays(), options.learningRate(), options.weightDecay());
        int[] order = new int[encodings.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int epoch = 0; epoch < options.epochs(); epoch++) {
            shuffle(order, random);
            for (int from = 0; from < order.length; from += batchSize) {
                int rows = Math.min(batchSize, order.length - from);
                training.gradients(encodings, targets, order, from, rows);
                adam.step(training.gradArrays);
            }
        }
        return new AccuracyPredictor(weights, base);
    }

    private static int checkedInputs(float[][] encodings, double[] targets) {
        if (encodings.length == 0 || encodings.length != targets.length) {
            throw new IllegalArgumentException("need one target per encoding and at least one of each; got "
                    + encodings.length + " encodings and " + targets.length + " targets");
        }
        int inputs = encodings[0].length;
        for (int i = 0; i < encodings.length; i++) {
            if (encodings[i].length != inputs) {
                throw new IllegalArgumentException(
                        "encoding " + i + " has " + encodings[i].length + " entries; the first has " + inputs);
            }
            // a percentage here would train a predictor whose outputs are a hundred times too large
            if (!(targets[i] >= 0 && targets[i] <= 1)) {
                throw new IllegalArgumentException(
                        "targets are accuracies as fractions in [0, 1]; target " + i + " is " + targets[i]);
            }
        }
        return inputs;
    }

    /** The gradient of the mean squared error over all of {@code encodings}, for checking backpropagation. */
    static MlpWeights gradient(MlpWeights weights, double base, float[][] encodings, double[] targets) {
        MlpTraining training = new MlpTraining(weights, base, encodings.length);
        int[] order = new int[encodings.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        training.gradients(encodings, targets, order, 0, order.length);
        return training.grads;
    }

    private static void shuffle(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
    }

    /** Leaves in {@link #grads} the gradient of the batch's mean squared error. */
    private void gradients(float[][] encodings, double[] targets, int[] order, int from, int rows) {
        for (float[] array : gradArrays) {
            Arrays.fill(array, 0f);
        }
        int hidden = weights.hidden;
        float[] w4 = weights.w4;
        for (int r = 0; r < rows; r++) {
            inputs[r] = encodings[order[from + r]];
        }
        weights.forward(inputs, rows, h1, h2, h3, out, indices);
        for (int r = 0; r < rows; r++) {
            float dOut = (float) (2 * ((out[r] + base) - targets[order[from + r]]) / rows);
            float[] h = h3[r];
            float[] dz = dz3[r];
            for (int j = 0; j < hidden; j++) {
                grads.w4[j] += dOut * h[j];
                dz[j] = h[j] > 0 ? dOut * w4[j] : 0f;
            }
        }
        transpose(weights.w3, w3ByOutput);
        transpose(weights.w2, w2ByOutput);
        backLayer(h2, dz3, rows, grads.w3, grads.b3, w3ByOutput, dz2);
        backLayer(h1, dz2, rows, grads.w2, grads.b2, w2ByOutput, dz1);
        for (int r = 0; r < rows; r++) {
            add(grads.b1, dz1[r]);
        }
        for (int k = 0; k < weights.inputs; k++) {
            for (int r = 0; r < rows; r++) {
                column[r] = inputs[r][k];
            }
            int count = RowCombination.nonZeros(column, rows, indices);
            RowCombination.accumulate(grads.w1[k], column, indices, count, dz1);
        }
    }

    /**
     * From the pre-activation gradient {@code dz} of a layer whose input was {@code in}: its weight
     * and bias gradients, and the pre-activation gradient of the layer below (through its ReLU).
     */
    private void backLayer(
            float[][] in,
            float[][] dz,
            int rows,
            float[][] weightGrad,
            float[] biasGrad,
            float[][] weightsByOutput,
            float[][] dzBelow) {
        for (int r = 0; r < rows; r++) {
            add(biasGrad, dz[r]);
        }
        for (int k = 0; k < weightGrad.length; k++) {
            for (int r = 0; r < rows; r++) {
                column[r] = in[r][k];
            }
            int count = RowCombination.nonZeros(column, rows, indices);
            RowCombination.accumulate(weightGrad[k], column, indices, count, dz);
        }
        for (int r = 0; r < rows; r++) {
            float[] below = dzBelow[r];
            Arrays.fill(below, 0f);
            int count = RowCombination.nonZeros(dz[r], dz[r].length, indices);
            RowCombination.accumulate(below, dz[r], indices, count, weightsByOutput);
            float[] h = in[r];
            for (int k = 0; k < below.length; k++) {
                below[k] = h[k] > 0 ? below[k] : 0f;
            }
        }
    }

    private static void add(float[] sum, float[] values) {
        for (int j = 0; j < sum.length; j++) {
            sum[j] += values[j];
        }
    }

    /** In 16 x 16 tiles, so that the rows written to stay in cache while a tile is filled. */
    private static void transpose(float[][] from, float[][] to) {
        int tile = 16;
        for (int k0 = 0; k0 < from.length; k0 += tile) {
            int k1 = Math.min(k0 + tile, from.length);
            for (int j0 = 0; j0 < to.length; j0 += tile) {
                int j1 = Math.min(j0 + tile, to.length);
                for (int j = j0; j < j1; j++) {
                    float[] column = to[j];
                    for (int k = k0; k < k1; k++) {
                        column[k] = from[k][j];
                    }
                }
            }
        }
    }
}
