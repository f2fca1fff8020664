package dev.tailor.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatasetFormatTest {

    @Test
    void parsesNamesInAnyCaseWithOrWithoutSeparators() {
        assertThat(DatasetFormat.parse("auto")).isEqualTo(DatasetFormat.AUTO);
        assertThat(DatasetFormat.parse("IDX")).isEqualTo(DatasetFormat.IDX);
        assertThat(DatasetFormat.parse("cifar-10")).isEqualTo(DatasetFormat.CIFAR10);
        assertThat(DatasetFormat.parse("Cifar10")).isEqualTo(DatasetFormat.CIFAR10);
        assertThat(DatasetFormat.parse("cifar_100")).isEqualTo(DatasetFormat.CIFAR100);
        assertThat(DatasetFormat.parse("image-folder")).isEqualTo(DatasetFormat.IMAGE_FOLDER);
        assertThat(DatasetFormat.parse(" IMAGE_FOLDER ")).isEqualTo(DatasetFormat.IMAGE_FOLDER);
    }

    @Test
    void anUnknownNameListsTheAllowedOnes() {
        assertThatThrownBy(() -> DatasetFormat.parse("tfrecord"))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("'tfrecord'")
                .hasMessageContaining("auto, idx, cifar10, cifar100, image-folder");
        assertThatThrownBy(() -> DatasetFormat.parse(null)).isInstanceOf(DatasetException.class);
    }
}
