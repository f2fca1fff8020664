package dev.tailor.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailor.data.ImageDataset;
import dev.tailor.data.Normalization;
import java.util.Random;

/**
 * Turns dataset rows into normalised NCHW batches at a subnet's resolution. Training batches are
 * augmented the usual way for small images: a random shift within zero padding of 1/8 of the
 * side, and a horizontal flip half of the time; and, for a share of them when asked, random erasing
 * as timm does it by default for DεpS's recipe (one rectangle of 2-33 % of the area, aspect 0.3 to
 * 3.3, filled with normal noise in normalised units, pixel by pixel).
 */
final class ImageBatches {

    private final ImageDataset data;
    private final Normalization normalization;
    private final int channels;
    private final int height;
    private final int width;
    private final int padding;
    private final float[] image;
    private final float[] shifted;
    private final double eraseShare;

    ImageBatches(ImageDataset data, Normalization normalization) {
        this(data, normalization, 0);
    }

    /** Batches whose augmented images are erased with probability {@code eraseShare} (0 for never). */
    ImageBatches(ImageDataset data, Normalization normalization, double eraseShare) {
        this.eraseShare = eraseShare;
        this.data = data;
        this.normalization = normalization;
        this.channels = data.channels();
        this.height = data.height();
        this.width = data.width();
        this.padding = Math.max(1, Math.min(height, width) / 8);
        this.image = new float[channels * height * width];
        this.shifted = new float[channels * height * width];
    }

    ImageDataset data() {
        return data;
    }

    /** Rows {@code rows} normalised at the dataset's own size; augmented when {@code random} is given. */
    float[] prepare(int[] rows, Random random) {
        int size = channels * height * width;
        float[] batch = new float[rows.length * size];
        for (int i = 0; i < rows.length; i++) {
            if (random == null) {
                data.copyNormalized(rows[i], normalization, batch, i * size);
            } else {
                data.copyNormalized(rows[i], normalization, image, 0);
                augment(random);
                // no draw at all when erasing is off: a run without it keeps the augmentation of older runs
                if (eraseShare > 0 && random.nextDouble() < eraseShare) {
                    erase(random);
                }
                System.arraycopy(shifted, 0, batch, i * size, size);
            }
        }
        return batch;
    }

    /** A prepared batch as an NCHW array at {@code resolution} (bilinear when it differs). */
    NDArray images(NDManager manager, float[] prepared, int resolution) {
        int count = prepared.length / (channels * height * width);
        if (resolution == height && resolution == width) {
            return manager.create(prepared, new Shape(count, channels, height, width));
        }
        float[] resized = new float[count * channels * resolution * resolution];
        int inStride = channels * height * width;
        int outStride = channels * resolution * resolution;
        float[] one = new float[inStride];
        for (int i = 0; i < count; i++) {
            System.arraycopy(prepared, i * inStride, one, 0, inStride);
            ImageResize.bilinear(one, channels, height, width, resized, i * outStride, resolution);
        }
        return manager.create(resized, new Shape(count, channels, resolution, resolution));
    }

    NDArray labels(NDManager manager, int[] rows) {
        int[] labels = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            labels[i] = data.label(rows[i]);
        }
        return manager.create(labels);
    }

    /** Zero-padded shift and optional flip of {@link #image} into {@link #shifted}. */
    private void augment(Random random) {
        int dy = random.nextInt(2 * padding + 1) - padding;
        int dx = random.nextInt(2 * padding + 1) - padding;
        boolean flip = random.nextBoolean();
        // zero in normalised units is the pixel value 0 for every channel
        for (int c = 0; c < channels; c++) {
            float zero = -normalization.mean()[c] / normalization.std()[c];
            int plane = c * height * width;
            for (int y = 0; y < height; y++) {
                int sy = y + dy;
                for (int x = 0; x < width; x++) {
                    int sx = (flip ? width - 1 - x : x) + dx;
                    shifted[plane + y * width + x] =
                            sy < 0 || sy >= height || sx < 0 || sx >= width ? zero : image[plane + sy * width + sx];
                }
            }
        }
    }

    /**
     * timm's {@code RandomErasing} with its defaults, mode {@code pixel}, one rectangle: up to ten
     * tries for a rectangle that fits inside the image; none when no try fits.
     */
    private void erase(Random random) {
        double area = height * width;
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (0.02 + random.nextDouble() * (1.0 / 3 - 0.02));
            double logAspect = Math.log(0.3) + random.nextDouble() * (Math.log(1 / 0.3) - Math.log(0.3));
            double aspect = Math.exp(logAspect);
            int h = (int) Math.round(Math.sqrt(target * aspect));
            int w = (int) Math.round(Math.sqrt(target / aspect));
            if (h < 1 || w < 1 || h >= height || w >= width) {
                continue;
            }
            int top = random.nextInt(height - h + 1);
            int left = random.nextInt(width - w + 1);
            for (int c = 0; c < channels; c++) {
                int plane = c * height * width;
                for (int y = top; y < top + h; y++) {
                    for (int x = left; x < left + w; x++) {
                        shifted[plane + y * width + x] = (float) random.nextGaussian();
                    }
                }
            }
            return;
        }
    }
}
