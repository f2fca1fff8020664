package dev.tailor.predictor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * OFA's predictor MLP, inputs -> hidden -> hidden -> hidden -> 1 with ReLU and no output bias, in
 * float32 like PyTorch. Weight matrices are stored transposed from PyTorch's {@code [out][in]}:
 * one array per input unit holding its weights to every output unit, so a forward pass adds whole
 * rows for the inputs that are non-zero.
 */
final class MlpWeights {

    final int inputs;
    final int hidden;
    final float[][] w1;
    final float[] b1;
    final float[][] w2;
    final float[] b2;
    final float[][] w3;
    final float[] b3;
    final float[] w4;

    private MlpWeights(int inputs, int hidden) {
        this.inputs = inputs;
        this.hidden = hidden;
        w1 = new float[inputs][hidden];
        b1 = new float[hidden];
        w2 = new float[hidden][hidden];
        b2 = new float[hidden];
        w3 = new float[hidden][hidden];
        b3 = new float[hidden];
        w4 = new float[hidden];
    }

    static MlpWeights zeros(int inputs, int hidden) {
        if (inputs < 1 || hidden < 1) {
            throw new IllegalArgumentException(
                    "the predictor needs at least one input and one hidden unit; got " + inputs + " and " + hidden);
        }
        return new MlpWeights(inputs, hidden);
    }

    /**
     * PyTorch's nn.Linear default: kaiming-uniform with a = sqrt(5), which comes to
     * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weights and the same bound for the biases.
     */
    static MlpWeights initialised(int inputs, int hidden, SplittableRandom random) {
        MlpWeights weights = zeros(inputs, hidden);
        uniform(weights.w1, weights.b1, inputs, random);
        uniform(weights.w2, weights.b2, hidden, random);
        uniform(weights.w3, weights.b3, hidden, random);
        uniform(new float[][] {weights.w4}, null, hidden, random);
        return weights;
    }

    private static void uniform(float[][] rows, float[] bias, int fanIn, SplittableRandom random) {
        double bound = 1 / Math.sqrt(fanIn);
        for (float[] row : rows) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) ((2 * random.nextDouble() - 1) * bound);
            }
        }
        if (bias != null) {
            for (int j = 0; j < bias.length; j++) {
                bias[j] = (float) ((2 * random.nextDouble() - 1) * bound);
            }
        }
    }

    /** Every parameter array in one fixed order: the optimiser's and the byte format's order. */
    List<float[]> arrays() {
        List<float[]> arrays = new ArrayList<>(inputs + 3 * hidden + 4);
        arrays.addAll(List.of(w1));
        arrays.add(b1);
        arrays.addAll(List.of(w2));
        arrays.add(b2);
        arrays.addAll(List.of(w3));
        arrays.add(b3);
        arrays.add(w4);
        return arrays;
    }

    /**
     * The forward pass of {@code rows} inputs, without the base accuracy, into {@code out}, layer by
     * layer over all the rows. The hidden activations (after ReLU) are left in {@code h1..h3}, which
     * backpropagation reads; {@code indices} is scratch of length {@code max(inputs, hidden)}.
     */
    void forward(float[][] x, int rows, float[][] h1, float[][] h2, float[][] h3, float[] out, int[] indices) {
        for (int r = 0; r < rows; r++) {
            layer(x[r], inputs, w1, b1, h1[r], indices);
        }
        for (int r = 0; r < rows; r++) {
            layer(h1[r], hidden, w2, b2, h2[r], indices);
        }
        for (int r = 0; r < rows; r++) {
            layer(h2[r], hidden, w3, b3, h3[r], indices);
        }
        for (int r = 0; r < rows; r++) {
            float[] h = h3[r];
            float sum = 0;
            for (int j = 0; j < hidden; j++) {
                sum += h[j] * w4[j];
            }
            out[r] = sum;
        }
    }

    private static void layer(float[] in, int width, float[][] rows, float[] bias, float[] out, int[] indices) {
        System.arraycopy(bias, 0, out, 0, bias.length);
        int count = RowCombination.nonZeros(in, width, indices);
        RowCombination.accumulate(out, in, indices, count, rows);
        for (int j = 0; j < out.length; j++) {
            out[j] = out[j] > 0 ? out[j] : 0f;
        }
    }
}
