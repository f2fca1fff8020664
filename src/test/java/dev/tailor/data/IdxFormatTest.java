package dev.tailor.data;

import static dev.tailor.data.DatasetFixtures.IDX_IMAGES;
import static dev.tailor.data.DatasetFixtures.IDX_LABELS;
import static dev.tailor.data.DatasetFixtures.pixelValue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFormatTest {

    @TempDir
    Path dir;

    @Test
    void loadsPlainIdxFilesWithTheirSizesLabelsAndPixels() {
        DatasetFixtures.writeIdxDataset(dir, 30, 12, 4, 5, false);

        TrainTest data = Datasets.load(dir, DatasetFormat.IDX);

        ImageDataset train = data.train();
        assertThat(train.name()).isEqualTo(dir.getFileName() + "/train");
        assertThat(train.size()).isEqualTo(30);
        assertThat(train.channels()).isEqualTo(1);
        assertThat(train.height()).isEqualTo(4);
        assertThat(train.width()).isEqualTo(5);
        assertThat(train.classNames()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(train.label(0)).isZero();
        assertThat(train.label(13)).isEqualTo(3);
        // row-major: pixel (y=2, x=3) is byte 2*5+3 of the image
        assertThat(train.pixel(7, 0, 2, 3)).isEqualTo(pixelValue(7, 13));
        assertThat(train.pixel(29, 0, 3, 4)).isEqualTo(pixelValue(29, 19));
        assertThat(data.test().size()).isEqualTo(12);
        assertThat(data.test().name()).endsWith("/test");
        assertThat(data.test().pixel(11, 0, 0, 1)).isEqualTo(pixelValue(11, 1));
    }

    @Test
    void loadsGzippedFilesTheSameAsPlainOnes(@TempDir Path plain) {
        DatasetFixtures.writeIdxDataset(dir, 20, 10, 3, 3, true);
        DatasetFixtures.writeIdxDataset(plain, 20, 10, 3, 3, false);

        TrainTest gzipped = Datasets.load(dir, DatasetFormat.IDX);
        TrainTest unzipped = Datasets.load(plain, DatasetFormat.IDX);

        for (int i = 0; i < 20; i++) {
            assertThat(gzipped.train().label(i)).isEqualTo(unzipped.train().label(i));
            assertThat(gzipped.train().pixel(i, 0, 2, 1))
                    .isEqualTo(unzipped.train().pixel(i, 0, 2, 1));
        }
        assertThat(gzipped.test().size()).isEqualTo(10);
    }

    @Test
    void acceptsTheDottedFileNames() {
        DatasetFixtures.writeIdxImages(dir.resolve("train-images.idx3-ubyte"), 10, 2, 2);
        DatasetFixtures.writeIdxLabels(dir.resolve("train-labels.idx1-ubyte"), DatasetFixtures.labels(10, 10));
        DatasetFixtures.writeIdxImages(dir.resolve("t10k-images.idx3-ubyte.gz"), 5, 2, 2);
        DatasetFixtures.writeIdxLabels(dir.resolve("t10k-labels.idx1-ubyte.gz"), DatasetFixtures.labels(5, 10));

        TrainTest data = Datasets.load(dir, DatasetFormat.IDX);

        assertThat(data.train().size()).isEqualTo(10);
        assertThat(data.test().size()).isEqualTo(5);
    }

    @Test
    void aFashionDirectoryGetsFashionMnistClassNames(@TempDir Path parent) {
        Path fashion = parent.resolve("my-fashion-mnist");
        DatasetFixtures.writeIdxDataset(fashion, 10, 10, 2, 2, true);

        TrainTest data = Datasets.load(fashion, DatasetFormat.IDX);

        assertThat(data.train().name()).isEqualTo("my-fashion-mnist/train");
        assertThat(data.train().classNames())
                .hasSize(10)
                .startsWith("T-shirt/top")
                .endsWith("Ankle boot");
        assertThat(data.train().classNames().get(data.train().label(7))).isEqualTo("Sneaker");
    }

    @Test
    void plainIdxHasOneClassPerLabelValueUpToTheLargest() {
        DatasetFixtures.writeIdxDataset(dir, 10, 4, 2, 2, false);
        DatasetFixtures.writeIdxLabels(dir.resolve("t10k-labels-idx1-ubyte"), new byte[] {0, 11, 2, 3});

        assertThat(Datasets.load(dir, DatasetFormat.IDX).train().numClasses()).isEqualTo(12);
    }

    @Test
    void aFashionLabelAboveNineIsRefusedNamingTheLabelFile(@TempDir Path parent) {
        Path fashion = parent.resolve("fashion");
        DatasetFixtures.writeIdxDataset(fashion, 10, 4, 2, 2, false);
        DatasetFixtures.writeIdxLabels(fashion.resolve("t10k-labels-idx1-ubyte"), new byte[] {0, 1, 10, 3});

        assertThatThrownBy(() -> Datasets.load(fashion, DatasetFormat.IDX))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("t10k-labels-idx1-ubyte")
                .hasMessageContaining("label 10");
    }

    @Test
    void aMissingFileIsNamed() throws IOException {
        DatasetFixtures.writeIdxDataset(dir, 10, 4, 2, 2, true);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IDX))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("missing t10k-labels-idx1-ubyte");
        assertThatThrownBy(() -> Datasets.validate(dir, DatasetFormat.IDX))
                .hasMessageContaining("t10k-labels-idx1-ubyte");
    }

    @Test
    void aWrongMagicNumberIsRefused() {
        DatasetFixtures.writeIdxDataset(dir, 10, 4, 2, 2, false);
        DatasetFixtures.write(
                dir.resolve("train-images-idx3-ubyte"),
                DatasetFixtures.idx(0x00000802, new int[] {10, 2, 2}, new byte[40]));

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IDX))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("train-images-idx3-ubyte")
                .hasMessageContaining("0x00000803")
                .hasMessageContaining("0x00000802");
        assertThatThrownBy(() -> Datasets.validate(dir, DatasetFormat.IDX))
                .hasMessageContaining("train-images-idx3-ubyte");
    }

    @Test
    void swappedImageAndLabelFilesAreCalledThat() {
        DatasetFixtures.writeIdxDataset(dir, 10, 4, 2, 2, false);
        DatasetFixtures.writeIdxLabels(dir.resolve("train-images-idx3-ubyte"), DatasetFixtures.labels(10, 10));

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IDX))
                .hasMessageContaining("train-images-idx3-ubyte")
                .hasMessageContaining("swapped");
    }

    @Test
    void aGzippedFileWithoutTheGzSuffixGetsAHint() throws IOException {
        DatasetFixtures.writeIdxDataset(dir, 10, 4, 2, 2, true);
        Files.move(dir.resolve("train-labels-idx1-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte"));

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IDX))
                .hasMessageContaining("train-labels-idx1-ubyte")
                .hasMessageContaining(".gz");
    }

    @Test
    void aTruncatedImageFileIsRefusedByLoadAndValidate() {
        DatasetFixtures.writeIdxDataset(dir, 10, 4, 3, 3, false);
        DatasetFixtures.truncate(dir.resolve("t10k-images-idx3-ubyte"), 16 + 30);

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IDX))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("t10k-images-idx3-ubyte")
                .hasMessageContaining("truncated")
                .hasMessageContaining("only 30 bytes");
        assertThatThrownBy(() -> Datasets.validate(dir, DatasetFormat.IDX))
                .hasMessageContaining("t10k-images-idx3-ubyte")
                .hasMessageContaining("truncated");
    }

    @Test
    void aTruncatedGzipFileIsRefusedByLoadAndValidate() throws IOException {
        DatasetFixtures.writeIdxDataset(dir, 200, 4, 10, 10, true);
        Path images = dir.resolve("train-images-idx3-ubyte.gz");
        DatasetFixtures.truncate(images, (int) Files.size(images) / 2);

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IDX))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("train-images-idx3-ubyte.gz")
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> Datasets.validate(dir, DatasetFormat.IDX))
                .hasMessageContaining("train-images-idx3-ubyte.gz")
                .hasMessageContaining("truncated");
    }

    @Test
    void aGzipFileWhoseContentIsShortOfItsHeaderIsTruncatedToo() {
        DatasetFixtures.writeIdxDataset(dir, 10, 4, 2, 2, true);
        // a complete gzip stream, but of fewer pixels than the header promises
        DatasetFixtures.write(
                dir.resolve("train-images-idx3-ubyte.gz"),
                DatasetFixtures.idx(IDX_IMAGES, new int[] {10, 2, 2}, new byte[39]));

        assertThatThrownBy(() -> Datasets.validate(dir, DatasetFormat.IDX))
                .hasMessageContaining("train-images-idx3-ubyte.gz")
                .hasMessageContaining("only 39 bytes");
        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IDX))
                .hasMessageContaining("train-images-idx3-ubyte.gz")
                .hasMessageContaining("only 39 bytes");
    }

    @Test
    void extraBytesAfterThePromisedImagesAreRefused() {
        DatasetFixtures.writeIdxDataset(dir, 10, 4, 2, 2, false);
        DatasetFixtures.write(
                dir.resolve("train-images-idx3-ubyte"),
                DatasetFixtures.idx(IDX_IMAGES, new int[] {10, 2, 2}, new byte[41]));

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IDX)).hasMessageContaining("train-images-idx3-ubyte");
        assertThatThrownBy(() -> Datasets.validate(dir, DatasetFormat.IDX))
                .hasMessageContaining("train-images-idx3-ubyte");
    }

    @Test
    void imageAndLabelCountsMustMatch() {
        DatasetFixtures.writeIdxDataset(dir, 10, 4, 2, 2, true);
        DatasetFixtures.writeIdxLabels(dir.resolve("train-labels-idx1-ubyte.gz"), DatasetFixtures.labels(9, 10));

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IDX))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("train-labels-idx1-ubyte.gz holds 9 labels")
                .hasMessageContaining("train-images-idx3-ubyte.gz holds 10 images");
        assertThatThrownBy(() -> Datasets.validate(dir, DatasetFormat.IDX))
                .hasMessageContaining("train-labels-idx1-ubyte.gz");
    }

    @Test
    void trainAndTestImagesMustHaveTheSameSize() {
        DatasetFixtures.writeIdxDataset(dir, 10, 4, 2, 2, false);
        DatasetFixtures.writeIdxImages(dir.resolve("t10k-images-idx3-ubyte"), 4, 3, 2);

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IDX))
                .hasMessageContaining("t10k-images-idx3-ubyte")
                .hasMessageContaining("3x2");
        assertThatThrownBy(() -> Datasets.validate(dir, DatasetFormat.IDX))
                .hasMessageContaining("t10k-images-idx3-ubyte");
    }

    @Test
    void aLabelFileTooShortForItsHeaderIsNamed() {
        DatasetFixtures.writeIdxDataset(dir, 10, 4, 2, 2, false);
        DatasetFixtures.write(dir.resolve("t10k-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0});

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IDX))
                .hasMessageContaining("t10k-labels-idx1-ubyte")
                .hasMessageContaining("too short");
    }

    @Test
    void validateAcceptsAGoodDatasetPlainOrGzipped(@TempDir Path plain) {
        DatasetFixtures.writeIdxDataset(dir, 10, 4, 2, 2, true);
        DatasetFixtures.writeIdxDataset(plain, 10, 4, 2, 2, false);

        Datasets.validate(dir, DatasetFormat.IDX);
        Datasets.validate(plain, DatasetFormat.AUTO);
    }

    @Test
    void labelMagicIsCheckedToo() {
        DatasetFixtures.writeIdxDataset(dir, 10, 4, 2, 2, false);
        DatasetFixtures.write(
                dir.resolve("train-labels-idx1-ubyte"),
                DatasetFixtures.idx(IDX_LABELS + 0x100, new int[] {10}, new byte[10]));

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IDX))
                .hasMessageContaining("train-labels-idx1-ubyte")
                .hasMessageContaining("0x00000801");
    }
}
