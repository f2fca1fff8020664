package dev.tailor.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatasetFilesTest {

    @Test
    void aDatasetTooLargeForTheHeapSaysHowToRaiseIt() {
        assertThatThrownBy(() -> DatasetFiles.pixelArray(300L << 20, "photos/train", size -> {
                    throw new OutOfMemoryError("Java heap space");
                }))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("photos/train needs 300 MB of heap")
                .hasMessageContaining("JAVA_OPTS=-Xmx4g");
    }

    @Test
    void aDatasetLargerThanAnyArrayIsRefusedBeforeAllocating() {
        assertThatThrownBy(() -> DatasetFiles.pixelArray(3L << 30, "photos/train", size -> {
                    throw new AssertionError("must not allocate");
                }))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("more than fits in memory as one array");
    }

    @Test
    void aDatasetThatFitsGetsItsArray() {
        assertThat(DatasetFiles.pixelArray(784, "photos/train")).hasSize(784);
    }
}
