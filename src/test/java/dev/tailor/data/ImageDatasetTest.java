package dev.tailor.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {

    /** Two 2-channel 1x2 images: image i, channel c, column x holds 100*i + 10*c + x. */
    private static ImageDataset twoChannels() {
        byte[] pixels = {0, 1, 10, 11, 100, 101, 110, (byte) 111};
        return new ImageDataset("two", 2, 1, 2, List.of("a", "b"), pixels, new int[] {1, 0});
    }

    @Test
    void copyNormalizedAppliesEachChannelsMeanAndStdAtTheOffset() {
        Normalization norm = new Normalization(new float[] {0.5f, 0.1f}, new float[] {0.25f, 2f});
        float[] out = new float[6];
        out[0] = -7f;

        twoChannels().copyNormalized(1, norm, out, 2);

        assertThat(out[0]).isEqualTo(-7f); // before the offset: untouched
        assertThat(out[2]).isEqualTo((100 / 255f - 0.5f) / 0.25f);
        assertThat(out[3]).isEqualTo((101 / 255f - 0.5f) / 0.25f);
        assertThat(out[4]).isEqualTo((110 / 255f - 0.1f) / 2f);
        assertThat(out[5]).isEqualTo((111 / 255f - 0.1f) / 2f);
    }

    @Test
    void copyNormalizedFollowsANewNormalization() {
        ImageDataset data = twoChannels();
        float[] out = new float[4];
        data.copyNormalized(0, new Normalization(new float[] {0, 0}, new float[] {1, 1}), out, 0);
        assertThat(out[1]).isEqualTo(1 / 255f);

        data.copyNormalized(0, new Normalization(new float[] {1, 1}, new float[] {1, 1}), out, 0);

        assertThat(out[1]).isEqualTo(1 / 255f - 1f);
    }

    @Test
    void copyNormalizedRefusesAMismatchedNormalizationOrTooSmallArray() {
        ImageDataset data = twoChannels();
        Normalization oneChannel = new Normalization(new float[] {0}, new float[] {1});
        Normalization twoChannels = new Normalization(new float[] {0, 0}, new float[] {1, 1});

        assertThatThrownBy(() -> data.copyNormalized(0, oneChannel, new float[4], 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> data.copyNormalized(0, twoChannels, new float[4], 1))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> data.copyNormalized(2, twoChannels, new float[4], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void subsetKeepsTheGivenOrderAndRepeats() {
        ImageDataset data = DatasetFixtures.tiny("tiny", 3, 0, 1, 2, 0, 1);

        ImageDataset subset = data.subset(new int[] {4, 0, 2, 4}, "tiny/picked");

        assertThat(subset.name()).isEqualTo("tiny/picked");
        assertThat(subset.size()).isEqualTo(4);
        assertThat(new int[] {subset.pixel(0, 0, 0, 0), subset.pixel(1, 0, 0, 0), subset.pixel(2, 0, 0, 0)})
                .containsExactly(4, 0, 2);
        assertThat(new int[] {subset.label(0), subset.label(1), subset.label(2), subset.label(3)})
                .containsExactly(1, 0, 2, 1);
        assertThat(subset.classNames()).isEqualTo(data.classNames());

        ImageDataset ofSubset = subset.subset(new int[] {2, 1}, "again");

        assertThat(ofSubset.pixel(0, 0, 0, 0)).isEqualTo(2);
        assertThat(ofSubset.pixel(1, 0, 0, 0)).isZero();
        float[] out = new float[1];
        ofSubset.copyNormalized(0, new Normalization(new float[] {0}, new float[] {1}), out, 0);
        assertThat(out[0]).isEqualTo(2 / 255f);
    }

    @Test
    void subsetRefusesIndicesOutsideTheDataset() {
        ImageDataset data = DatasetFixtures.tiny("tiny", 2, 0, 1);

        assertThatThrownBy(() -> data.subset(new int[] {0, 2}, "bad")).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
