package dev.tailor.jobs;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a small learnable dataset as gzipped IDX files (the Fashion-MNIST layout): each of ten
 * classes is a bright square at its own place on a noisy 28x28 background.
 */
public final class IdxFixture {

    private IdxFixture() {}

    public static Path write(Path directory, int trainImages, int testImages) throws IOException {
        return write(directory, trainImages, testImages, 9);
    }

    /** Other seeds give other images of the same shape and classes. */
    public static Path write(Path directory, int trainImages, int testImages, long seed) throws IOException {
        Files.createDirectories(directory);
        Random random = new Random(seed);
        write(directory, "train", trainImages, random);
        write(directory, "t10k", testImages, random);
        return directory;
    }

    private static void write(Path directory, String prefix, int count, Random random) throws IOException {
        int side = 28;
        try (DataOutputStream images = gzip(directory.resolve(prefix + "-images-idx3-ubyte.gz"));
                DataOutputStream labels = gzip(directory.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
            images.writeInt(0x00000803);
            images.writeInt(count);
            images.writeInt(side);
            images.writeInt(side);
            labels.writeInt(0x00000801);
            labels.writeInt(count);
            for (int i = 0; i < count; i++) {
                int label = i % 10;
                labels.writeByte(label);
                int top = 3 + (label / 4) * 8 + random.nextInt(3) - 1;
                int left = 3 + (label % 4) * 6 + random.nextInt(3) - 1;
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        boolean inside = y >= top && y < top + 6 && x >= left && x < left + 6;
                        images.writeByte(inside ? 180 + random.nextInt(60) : random.nextInt(60));
                    }
                }
            }
        }
    }

    private static DataOutputStream gzip(Path file) throws IOException {
        OutputStream out = new GZIPOutputStream(Files.newOutputStream(file));
        return new DataOutputStream(out);
    }
}
