package dev.tailor.predictor;

/**
 * The one inner loop of the predictor, forward and backward: {@code target += sum over the listed
 * indices t of coefficient[t] * rows[t]}. Only non-zero coefficients are listed, which is where
 * the speed comes from: a Fashion-MNIST space encoding has about 19 of its 75 entries non-zero,
 * and a trained predictor's ReLU outputs are about half zero.
 */
final class RowCombination {

    private RowCombination() {}

    /** Lists the indices of the non-zero entries of {@code values[0, length)}; returns how many. */
    static int nonZeros(float[] values, int length, int[] indices) {
        int count = 0;
        for (int k = 0; k < length; k++) {
            if (values[k] != 0) {
                indices[count++] = k;
            }
        }
        return count;
    }

    /**
     * {@code target[j] += sum_t coefficients[indices[t]] * rows[indices[t]][j]} for t below
     * {@code count}. Rows are separate arrays and four are taken per pass: C2 vectorises this shape
     * (one float[] per row) and the four-way sum saves three loads and stores of the target. In a
     * micro-benchmark one flat weight array with row offsets ran 4 to 10 times slower, and eight
     * rows a pass 3 times slower.
     */
    static void accumulate(float[] target, float[] coefficients, int[] indices, int count, float[][] rows) {
        int width = target.length;
        int t = 0;
        for (; t + 4 <= count; t += 4) {
            float a0 = coefficients[indices[t]];
            float a1 = coefficients[indices[t + 1]];
            float a2 = coefficients[indices[t + 2]];
            float a3 = coefficients[indices[t + 3]];
            float[] r0 = rows[indices[t]];
            float[] r1 = rows[indices[t + 1]];
            float[] r2 = rows[indices[t + 2]];
            float[] r3 = rows[indices[t + 3]];
            for (int j = 0; j < width; j++) {
                target[j] += a0 * r0[j] + a1 * r1[j] + a2 * r2[j] + a3 * r3[j];
            }
        }
        for (; t < count; t++) {
            float a = coefficients[indices[t]];
            float[] row = rows[indices[t]];
            for (int j = 0; j < width; j++) {
                target[j] += a * row[j];
            }
        }
    }
}
