package dev.tailor.training;

import dev.tailor.data.ImageDataset;
import dev.tailor.data.TrainTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small learnable image set made on the spot: each class is a bright 6x6 square at its own
 * place on a noisy 28x28 background, shifted by up to 2 pixels.
 */
public final class GeneratedImages {

    private GeneratedImages() {}

    public static TrainTest make(int trainImages, int testImages, int classes, long seed) {
        Random random = new Random(seed);
        return new TrainTest(
                set("generated/train", trainImages, classes, random),
                set("generated/test", testImages, classes, random));
    }

    private static ImageDataset set(String name, int count, int classes, Random random) {
        int side = 28;
        byte[] pixels = new byte[count * side * side];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            int label = i % classes;
            labels[i] = label;
            int top = 3 + (label / 4) * 8 + random.nextInt(5) - 2;
            int left = 3 + (label % 4) * 6 + random.nextInt(5) - 2;
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    boolean inside = y >= top && y < top + 6 && x >= left && x < left + 6;
                    int value = inside ? 180 + random.nextInt(60) : random.nextInt(60);
                    pixels[i * side * side + y * side + x] = (byte) value;
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("class-" + c);
        }
        return ImageDataset.of(name, 1, side, side, names, pixels, labels);
    }
}
