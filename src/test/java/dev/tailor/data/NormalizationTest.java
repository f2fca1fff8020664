package dev.tailor.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class NormalizationTest {

    @Test
    void ofComputesEachChannelsMeanAndPopulationStd() {
        // two 2-channel 1x2 images; channel 0 holds 0, 255, 0, 255; channel 1 holds 51 throughout
        byte[] pixels = {0, (byte) 255, 51, 51, 0, (byte) 255, 51, 51};
        ImageDataset data = new ImageDataset("known", 2, 1, 2, List.of("a"), pixels, new int[] {0, 0});

        Normalization norm = Normalization.of(data);

        assertThat(norm.mean()[0]).isEqualTo(0.5f);
        assertThat(norm.std()[0]).isEqualTo(0.5f);
        assertThat(norm.mean()[1]).isCloseTo(0.2f, within(1e-7f));
        assertThat(norm.std()[1]).as("no spread: std 1 keeps values finite").isEqualTo(1f);
    }

    @Test
    void ofCountsOnlyTheImagesOfASubset() {
        ImageDataset data = DatasetFixtures.tiny("tiny", 1, 0, 0, 0, 0); // pixels 0, 1, 2, 3

        Normalization norm = Normalization.of(data.subset(new int[] {1, 3}, "odd"));

        assertThat(norm.mean()[0]).isCloseTo(2 / 255f, within(1e-7f));
        assertThat(norm.std()[0]).isCloseTo(1 / 255f, within(1e-7f));
    }

    @Test
    void equalsHashCodeAndToStringUseTheArrayContents() {
        Normalization a = new Normalization(new float[] {0.1f, 0.2f}, new float[] {0.3f, 0.4f});
        Normalization b = new Normalization(new float[] {0.1f, 0.2f}, new float[] {0.3f, 0.4f});

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new Normalization(new float[] {0.1f, 0.2f}, new float[] {0.3f, 0.5f}));
        assertThat(a.toString()).contains("[0.1, 0.2]").contains("[0.3, 0.4]");
    }

    @Test
    void cannotBeChangedThroughItsArrays() {
        float[] mean = {0.5f};
        Normalization norm = new Normalization(mean, new float[] {1f});

        mean[0] = 9f;
        norm.mean()[0] = 9f;

        assertThat(norm.mean()).containsExactly(0.5f);
    }

    @Test
    void refusesMismatchedOrNonPositiveValues() {
        assertThatThrownBy(() -> new Normalization(new float[] {0, 0}, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Normalization(new float[] {0}, new float[] {0}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Normalization(new float[] {Float.NaN}, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
