package dev.tailor.data;

/**
 * A normalization precomputed for every byte value: {@code values[c*256 + p] = (p/255 - mean[c]) / std[c]}. A pixel is
 * one of only 256 values, so looking the result up gives exactly the formula's float at the cost of a load.
 */
final class NormalizationTable {

    private final Normalization normalization;
    private final float[] values;

    NormalizationTable(Normalization normalization) {
        this.normalization = normalization;
        int channels = normalization.channels();
        this.values = new float[channels * 256];
        for (int c = 0; c < channels; c++) {
            float mean = normalization.mean(c);
            float std = normalization.std(c);
            for (int p = 0; p < 256; p++) {
                values[c * 256 + p] = (p / 255f - mean) / std;
            }
        }
    }

    /** Identity first: the trainer passes the same instance every call, and equals compares arrays. */
    boolean isFor(Normalization other) {
        return normalization == other || normalization.equals(other);
    }

    float[] values() {
        return values;
    }
}
