package dev.tailor.data;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;

/**
 * Images in memory as unsigned bytes, N x C x H x W, row-major (NCHW), with int labels 0..classes-1.
 *
 * <p>Pixels stay bytes for the whole set (Fashion-MNIST train is 47 MB as bytes, four times that as floats); the
 * trainer turns one image at a time into floats with {@link #copyNormalized}. Subsets are views that share the
 * pixel array, so a train/validation split costs no pixel copies.
 */
public final class ImageDataset {

    private final String name;
    private final int channels;
    private final int height;
    private final int width;
    private final int imageSize;
    private final List<String> classNames;
    /** Shared by a dataset and all its subsets; never written after loading. */
    private final byte[] pixels;
    /** Row of {@link #pixels} holding image i, or null when image i is row i (a freshly loaded set). */
    private final int[] rows;

    private final int[] labels;
    /** The last normalization used, turned into a lookup table; replaced when the trainer passes another one. */
    private volatile NormalizationTable table;

    /** A freshly loaded dataset: image i is {@code pixels[i*C*H*W ...]} with label {@code labels[i]}. */
    ImageDataset(
            String name, int channels, int height, int width, List<String> classNames, byte[] pixels, int[] labels) {
        this(name, channels, height, width, List.copyOf(classNames), pixels, null, labels);
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("shape " + channels + "x" + height + "x" + width + " is not positive");
        }
        if ((long) labels.length * imageSize != pixels.length) {
            throw new IllegalArgumentException(
                    pixels.length + " pixel bytes do not hold " + labels.length + " images of " + imageSize);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                // loaders report bad labels with the file name first; reaching this is a loader bug
                throw new IllegalArgumentException("label " + labels[i] + " of image " + i + " is out of range");
            }
        }
    }

    /** An in-memory dataset (generated data, tests); the arrays are taken as they are, not copied. */
    public static ImageDataset of(
            String name, int channels, int height, int width, List<String> classNames, byte[] pixels, int[] labels) {
        return new ImageDataset(name, channels, height, width, classNames, pixels, labels);
    }

    private ImageDataset(
            String name,
            int channels,
            int height,
            int width,
            List<String> classNames,
            byte[] pixels,
            int[] rows,
            int[] labels) {
        this.name = Objects.requireNonNull(name, "name");
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.imageSize = channels * height * width;
        this.classNames = classNames;
        this.pixels = pixels;
        this.rows = rows;
        this.labels = labels;
    }

    /** For example "fashion-mnist/train". */
    public String name() {
        return name;
    }

    /** Number of images, N. */
    public int size() {
        return labels.length;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Class names; the index is the label. */
    public List<String> classNames() {
        return classNames;
    }

    public int numClasses() {
        return classNames.size();
    }

    public int label(int index) {
        return labels[Objects.checkIndex(index, labels.length)];
    }

    /**
     * Fills {@code out[offset ...]} with image {@code index} as floats, {@code (pixel/255 - mean[c]) / std[c]}, in CHW
     * order, C*H*W values. Called once per image per epoch, so it allocates nothing: each of the 256 possible byte
     * values is normalized once per channel into a table, and the loop only looks values up.
     */
    public void copyNormalized(int index, Normalization norm, float[] out, int offset) {
        Objects.checkIndex(index, labels.length);
        Objects.checkFromIndexSize(offset, imageSize, out.length);
        float[] lookup = tableFor(norm).values();
        int plane = height * width;
        int source = storageRow(index) * imageSize;
        int target = offset;
        for (int c = 0; c < channels; c++) {
            int base = c << 8;
            for (int end = source + plane; source < end; source++, target++) {
                out[target] = lookup[base + (pixels[source] & 0xFF)];
            }
        }
    }

    /**
     * The images at {@code indices}, in that order (repeats allowed), as a view sharing this dataset's pixels.
     *
     * @throws IndexOutOfBoundsException when an index is not an image of this dataset
     */
    public ImageDataset subset(int[] indices, String name) {
        int[] subsetRows = new int[indices.length];
        int[] subsetLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int index = Objects.checkIndex(indices[i], labels.length);
            subsetRows[i] = storageRow(index);
            subsetLabels[i] = labels[index];
        }
        return new ImageDataset(name, channels, height, width, classNames, pixels, subsetRows, subsetLabels);
    }

    /** One raw pixel, 0..255; for tests and diagnostics, not for the training loop. */
    int pixel(int index, int channel, int y, int x) {
        Objects.checkIndex(index, labels.length);
        Objects.checkIndex(channel, channels);
        Objects.checkIndex(y, height);
        Objects.checkIndex(x, width);
        return pixels[storageRow(index) * imageSize + (channel * height + y) * width + x] & 0xFF;
    }

    /** How often each byte value occurs in each channel over all images: {@code histogram[c][value]}. */
    long[][] channelHistograms() {
        long[][] histogram = new long[channels][256];
        int plane = height * width;
        for (int i = 0; i < labels.length; i++) {
            int source = storageRow(i) * imageSize;
            for (int c = 0; c < channels; c++) {
                long[] counts = histogram[c];
                for (int end = source + plane; source < end; source++) {
                    counts[pixels[source] & 0xFF]++;
                }
            }
        }
        return histogram;
    }

    /**
     * Feeds what this dataset holds into {@code digest}: shape, class names, and each image's label
     * and pixels in index order. Its name and where it was read from do not count.
     */
    void digest(MessageDigest digest) {
        ByteBuffer header = ByteBuffer.allocate(16)
                .putInt(channels)
                .putInt(height)
                .putInt(width)
                .putInt(size());
        digest.update(header.array());
        for (String className : classNames) {
            digest.update(className.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
        for (int i = 0; i < labels.length; i++) {
            digest.update(ByteBuffer.allocate(4).putInt(labels[i]).array());
            digest.update(pixels, storageRow(i) * imageSize, imageSize);
        }
    }

    private int storageRow(int index) {
        return rows == null ? index : rows[index];
    }

    private NormalizationTable tableFor(Normalization norm) {
        NormalizationTable current = table;
        if (current != null && current.isFor(norm)) {
            return current;
        }
        if (norm.channels() != channels) {
            throw new IllegalArgumentException(
                    "normalization has " + norm.channels() + " channels but " + name + " has " + channels);
        }
        // racing threads may each build a table; they are equal, so whichever is kept is right
        current = new NormalizationTable(norm);
        table = current;
        return current;
    }

    @Override
    public String toString() {
        return name + " (" + size() + " images " + channels + "x" + height + "x" + width + ", " + numClasses()
                + " classes)";
    }
}
