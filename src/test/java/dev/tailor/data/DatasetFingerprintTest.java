package dev.tailor.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetFingerprintTest {

    private static final List<String> CLASSES = List.of("a", "b");

    private static TrainTest data(byte[] pixels, int[] labels) {
        ImageDataset train = ImageDataset.of("x/train", 1, 2, 2, CLASSES, pixels, labels);
        ImageDataset test = ImageDataset.of("x/test", 1, 2, 2, CLASSES, new byte[] {9, 9, 9, 9}, new int[] {1});
        return new TrainTest(train, test);
    }

    @Test
    void theSameContentUnderAnotherNameIsTheSameDataset() {
        String one = DatasetFingerprint.of(data(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, new int[] {0, 1}));
        TrainTest renamed = new TrainTest(
                ImageDataset.of("y/train", 1, 2, 2, CLASSES, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, new int[] {0, 1}),
                ImageDataset.of("y/test", 1, 2, 2, CLASSES, new byte[] {9, 9, 9, 9}, new int[] {1}));
        assertThat(DatasetFingerprint.of(renamed)).isEqualTo(one).hasSize(64);
    }

    @Test
    void onePixelOneLabelOrTheOrderMakesAnotherDataset() {
        String one = DatasetFingerprint.of(data(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, new int[] {0, 1}));
        assertThat(DatasetFingerprint.of(data(new byte[] {1, 2, 3, 4, 5, 6, 7, 9}, new int[] {0, 1})))
                .isNotEqualTo(one);
        assertThat(DatasetFingerprint.of(data(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, new int[] {1, 1})))
                .isNotEqualTo(one);
        assertThat(DatasetFingerprint.of(data(new byte[] {5, 6, 7, 8, 1, 2, 3, 4}, new int[] {1, 0})))
                .isNotEqualTo(one);
        ImageDataset whole =
                ImageDataset.of("x/train", 1, 2, 2, CLASSES, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, new int[] {0, 1});
        TrainTest subsetInOrder = new TrainTest(
                whole.subset(new int[] {0, 1}, "view"),
                ImageDataset.of("x/test", 1, 2, 2, CLASSES, new byte[] {9, 9, 9, 9}, new int[] {1}));
        assertThat(DatasetFingerprint.of(subsetInOrder)).isEqualTo(one);
    }
}
