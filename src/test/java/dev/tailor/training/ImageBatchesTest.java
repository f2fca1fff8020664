package dev.tailor.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.data.ImageDataset;
import dev.tailor.data.Normalization;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ImageBatchesTest {

    private static final ImageDataset IMAGES =
            GeneratedImages.make(400, 10, 8, 3).train();
    private static final Normalization NORMALIZATION = Normalization.of(IMAGES);
    private static final int SIDE = 28;

    /** The pixels where an erased image differs from the same image shifted and flipped alone. */
    private static boolean[] erasedPixels(int row, long seed) {
        float[] plain = new ImageBatches(IMAGES, NORMALIZATION, 0).prepare(new int[] {row}, new Random(seed));
        float[] erased = new ImageBatches(IMAGES, NORMALIZATION, 1).prepare(new int[] {row}, new Random(seed));
        boolean[] differs = new boolean[plain.length];
        for (int i = 0; i < plain.length; i++) {
            differs[i] = plain[i] != erased[i];
        }
        return differs;
    }

    @Test
    void anErasedImageDiffersFromTheSameShiftAndFlipInOneRectangleOfNoise() {
        int erasedImages = 0;
        for (int row = 0; row < 50; row++) {
            boolean[] differs = erasedPixels(row, 100 + row);
            int top = SIDE, bottom = -1, left = SIDE, right = -1, count = 0;
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    if (differs[y * SIDE + x]) {
                        count++;
                        top = Math.min(top, y);
                        bottom = Math.max(bottom, y);
                        left = Math.min(left, x);
                        right = Math.max(right, x);
                    }
                }
            }
            if (count == 0) {
                continue; // ten tries that did not fit: timm leaves the image as it is
            }
            erasedImages++;
            int box = (bottom - top + 1) * (right - left + 1);
            // noise replaces every pixel of the box (a draw equal to the pixel it replaces has probability 0)
            assertThat(count).as("row %d", row).isEqualTo(box);
            assertThat(box).as("row %d", row).isBetween(SIDE * SIDE / 100, SIDE * SIDE * 2 / 5);
        }
        assertThat(erasedImages).isGreaterThanOrEqualTo(45);
    }

    @Test
    void aShareOfTheImagesIsErasedAndNoneWithoutIt() {
        ImageBatches batches = new ImageBatches(IMAGES, NORMALIZATION, 0.2);
        ImageBatches none = new ImageBatches(IMAGES, NORMALIZATION, 0);
        int erased = 0;
        int images = 1000;
        Random random = new Random(7);
        for (int i = 0; i < images; i++) {
            int row = i % IMAGES.size();
            long seed = random.nextLong();
            float[] plain = none.prepare(new int[] {row}, new Random(seed));
            float[] maybe = batches.prepare(new int[] {row}, new Random(seed));
            if (!java.util.Arrays.equals(plain, maybe)) {
                erased++;
            }
        }
        assertThat(erased).isBetween(150, 250);
    }

    @Test
    void evaluationBatchesAreNeverErased() {
        ImageBatches batches = new ImageBatches(IMAGES, NORMALIZATION, 1);
        ImageBatches none = new ImageBatches(IMAGES, NORMALIZATION, 0);
        int[] rows = {0, 1, 2, 3};
        assertThat(batches.prepare(rows, null)).containsExactly(none.prepare(rows, null));
    }
}
