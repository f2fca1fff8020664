package dev.tailor.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-channel mean and standard deviation on the 0..1 pixel scale, to centre the network's inputs. The arrays are
 * copied in and out, so an instance never changes once made; {@link ImageDataset} relies on that to cache a table.
 */
public record Normalization(float[] mean, float[] std) {

    public Normalization {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException(
                    "mean and std need one value per channel, got " + mean.length + " and " + std.length);
        }
        for (int c = 0; c < std.length; c++) {
            if (!(std[c] > 0) || !Float.isFinite(std[c]) || !Float.isFinite(mean[c])) {
                throw new IllegalArgumentException(
                        "channel " + c + " needs a finite mean and a positive std, got " + mean[c] + " and " + std[c]);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * Mean and (population) standard deviation of every pixel of {@code data}, per channel. Compute it on the training
     * split only, so nothing about the test images leaks into training. A channel with a single value throughout has
     * no spread; its std is taken as 1 so normalized values stay finite.
     */
    public static Normalization of(ImageDataset data) {
        if (data.size() == 0) {
            throw new IllegalArgumentException(data.name() + " has no images to compute a normalization from");
        }
        // counting the 256 byte values is exact and much faster than summing 47 million doubles
        long[][] histogram = data.channelHistograms();
        float[] mean = new float[histogram.length];
        float[] std = new float[histogram.length];
        for (int c = 0; c < histogram.length; c++) {
            long count = 0;
            double sum = 0;
            int distinctValues = 0;
            for (int p = 0; p < 256; p++) {
                count += histogram[c][p];
                sum += histogram[c][p] * (p / 255.0);
                distinctValues += histogram[c][p] > 0 ? 1 : 0;
            }
            double channelMean = sum / count;
            double squares = 0;
            for (int p = 0; p < 256; p++) {
                double deviation = p / 255.0 - channelMean;
                squares += histogram[c][p] * deviation * deviation;
            }
            double channelStd = Math.sqrt(squares / count);
            mean[c] = (float) channelMean;
            // tested on the values, not the std, which rounding can leave a hair above zero
            std[c] = distinctValues > 1 ? (float) channelStd : 1f;
        }
        return new Normalization(mean, std);
    }

    /** A copy: the instance stays unchanged whatever the caller does with it. */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** A copy: the instance stays unchanged whatever the caller does with it. */
    @Override
    public float[] std() {
        return std.clone();
    }

    int channels() {
        return mean.length;
    }

    float mean(int channel) {
        return mean[channel];
    }

    float std(int channel) {
        return std[channel];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Normalization that && Arrays.equals(mean, that.mean) && Arrays.equals(std, that.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
