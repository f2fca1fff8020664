package dev.tailor.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Small datasets written to disk in each format, with pixel values a test can predict. */
final class DatasetFixtures {

    static final int IDX_IMAGES = 0x00000803;
    static final int IDX_LABELS = 0x00000801;

    private DatasetFixtures() {}

    /** The value fixtures give byte {@code position} of image {@code image}: varied, and easy to recompute. */
    static int pixelValue(int image, int position) {
        return (image * 31 + position * 7) % 256;
    }

    static byte[] pixels(int images, int imageBytes) {
        byte[] pixels = new byte[images * imageBytes];
        for (int i = 0; i < images; i++) {
            for (int p = 0; p < imageBytes; p++) {
                pixels[i * imageBytes + p] = (byte) pixelValue(i, p);
            }
        }
        return pixels;
    }

    /** Label of image i in every fixture: cycles through the classes. */
    static int labelOf(int image, int classes) {
        return image % classes;
    }

    static byte[] labels(int images, int classes) {
        byte[] labels = new byte[images];
        for (int i = 0; i < images; i++) {
            labels[i] = (byte) labelOf(i, classes);
        }
        return labels;
    }

    // ---- IDX ----

    /** The four IDX files, 10 classes, named the canonical way; gzipped (with .gz) when asked. */
    static void writeIdxDataset(Path dir, int trainCount, int testCount, int rows, int cols, boolean gzip) {
        String suffix = gzip ? ".gz" : "";
        writeIdxImages(dir.resolve("train-images-idx3-ubyte" + suffix), trainCount, rows, cols);
        writeIdxLabels(dir.resolve("train-labels-idx1-ubyte" + suffix), labels(trainCount, 10));
        writeIdxImages(dir.resolve("t10k-images-idx3-ubyte" + suffix), testCount, rows, cols);
        writeIdxLabels(dir.resolve("t10k-labels-idx1-ubyte" + suffix), labels(testCount, 10));
    }

    static void writeIdxImages(Path file, int count, int rows, int cols) {
        write(file, idx(IDX_IMAGES, new int[] {count, rows, cols}, pixels(count, rows * cols)));
    }

    static void writeIdxLabels(Path file, byte[] labels) {
        write(file, idx(IDX_LABELS, new int[] {labels.length}, labels));
    }

    static byte[] idx(int magic, int[] dimensions, byte[] payload) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic); // DataOutputStream is big-endian, like IDX
            for (int dimension : dimensions) {
                out.writeInt(dimension);
            }
            out.write(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes {@code content}, gzipped when the file name ends in .gz. */
    static void write(Path file, byte[] content) {
        try {
            Files.createDirectories(file.getParent());
            if (file.toString().endsWith(".gz")) {
                try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
                    out.write(content);
                }
            } else {
                Files.write(file, content);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Cuts a file down to its first {@code length} bytes, as an interrupted download would. */
    static void truncate(Path file, int length) {
        try {
            byte[] content = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(content, length));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- CIFAR ----

    static final int CIFAR_IMAGE_BYTES = 3 * 32 * 32;

    /** Five training batches of {@code perBatch} records and a test batch of {@code testCount}, labels cycling 0..9. */
    static void writeCifar10(Path dir, int perBatch, int testCount) {
        for (int b = 1; b <= 5; b++) {
            write(dir.resolve("data_batch_" + b + ".bin"), cifar10Records((b - 1) * perBatch, perBatch));
        }
        write(dir.resolve("test_batch.bin"), cifar10Records(0, testCount));
    }

    /** Records for images {@code first ..}: label, then pixels numbered from image {@code first}. */
    static byte[] cifar10Records(int first, int count) {
        byte[] records = new byte[count * (1 + CIFAR_IMAGE_BYTES)];
        for (int r = 0; r < count; r++) {
            int image = first + r;
            int at = r * (1 + CIFAR_IMAGE_BYTES);
            records[at] = (byte) labelOf(image, 10);
            for (int p = 0; p < CIFAR_IMAGE_BYTES; p++) {
                records[at + 1 + p] = (byte) pixelValue(image, p);
            }
        }
        return records;
    }

    /** train.bin and test.bin; coarse label = fine label / 5, fine labels cycling 0..99. */
    static void writeCifar100(Path dir, int trainCount, int testCount) {
        write(dir.resolve("train.bin"), cifar100Records(trainCount));
        write(dir.resolve("test.bin"), cifar100Records(testCount));
    }

    static byte[] cifar100Records(int count) {
        byte[] records = new byte[count * (2 + CIFAR_IMAGE_BYTES)];
        for (int r = 0; r < count; r++) {
            int at = r * (2 + CIFAR_IMAGE_BYTES);
            int fine = labelOf(r, 100);
            records[at] = (byte) (fine / 5);
            records[at + 1] = (byte) fine;
            for (int p = 0; p < CIFAR_IMAGE_BYTES; p++) {
                records[at + 2 + p] = (byte) pixelValue(r, p);
            }
        }
        return records;
    }

    static void writeLines(Path file, List<String> lines) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- image folder ----

    /** A grey image whose pixel (x, y) is {@code (seed + 10*y + x) % 256}. */
    static BufferedImage grey(int width, int height, int seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.getRaster().setSample(x, y, 0, (seed + 10 * y + x) % 256);
            }
        }
        return image;
    }

    /** A colour image of one RGB value everywhere. */
    static BufferedImage colour(int width, int height, int red, int green, int blue) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (red << 16) | (green << 8) | blue);
            }
        }
        return image;
    }

    /** Writes an image as PNG, or JPEG when the name ends in .jpg. */
    static Path writeImage(Path file, BufferedImage image) {
        try {
            Files.createDirectories(file.getParent());
            String format = file.toString().endsWith(".jpg") ? "jpg" : "png";
            if (!ImageIO.write(image, format, file.toFile())) {
                throw new IllegalStateException("no " + format + " writer");
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An in-memory dataset of 1x1 grey images with the given labels; pixel i is {@code i % 256}. */
    static ImageDataset tiny(String name, int classes, int... labels) {
        byte[] pixels = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            pixels[i] = (byte) i;
        }
        return new ImageDataset(name, 1, 1, 1, ClassNames.numbered(classes), pixels, labels);
    }
}
