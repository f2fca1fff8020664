package dev.tailor.training;

/** Images prepared as a subnet takes them (normalised, at its resolution, NCHW) with their labels. */
public record LabelledImages(float[] images, int[] labels, int channels, int resolution) {

    public int count() {
        return labels.length;
    }

    public long[] shape() {
        return new long[] {labels.length, channels, resolution, resolution};
    }
}
