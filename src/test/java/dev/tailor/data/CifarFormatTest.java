package dev.tailor.data;

import static dev.tailor.data.DatasetFixtures.pixelValue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarFormatTest {

    @TempDir
    Path dir;

    @Test
    void loadsCifar10BatchesInOrderAsChannelPlanarImages() {
        DatasetFixtures.writeCifar10(dir, 4, 6);

        TrainTest data = Datasets.load(dir, DatasetFormat.CIFAR10);

        ImageDataset train = data.train();
        assertThat(train.size()).isEqualTo(20);
        assertThat(train.channels()).isEqualTo(3);
        assertThat(train.height()).isEqualTo(32);
        assertThat(train.width()).isEqualTo(32);
        assertThat(train.classNames()).hasSize(10).startsWith("airplane").endsWith("truck");
        // image 13 is the second record of data_batch_4.bin
        assertThat(train.label(13)).isEqualTo(3);
        assertThat(train.pixel(13, 0, 0, 0)).isEqualTo(pixelValue(13, 0));
        // green starts 1024 bytes in, blue 2048: the stored order is already CHW
        assertThat(train.pixel(13, 1, 0, 0)).isEqualTo(pixelValue(13, 1024));
        assertThat(train.pixel(13, 2, 5, 7)).isEqualTo(pixelValue(13, 2048 + 5 * 32 + 7));
        assertThat(data.test().size()).isEqualTo(6);
        assertThat(data.test().label(5)).isEqualTo(5);
    }

    @Test
    void takesClassNamesFromBatchesMetaIgnoringBlankLines() {
        DatasetFixtures.writeCifar10(dir, 1, 1);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            names.add("class-" + i);
        }
        names.add("");
        DatasetFixtures.writeLines(dir.resolve("batches.meta.txt"), names);

        assertThat(Datasets.load(dir, DatasetFormat.CIFAR10).train().classNames())
                .isEqualTo(names.subList(0, 10));
    }

    @Test
    void aMetaFileWithTheWrongNumberOfNamesIsNamed() {
        DatasetFixtures.writeCifar10(dir, 1, 1);
        DatasetFixtures.writeLines(dir.resolve("batches.meta.txt"), List.of("cat", "dog"));

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.CIFAR10))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("batches.meta.txt")
                .hasMessageContaining("2 class names");
    }

    @Test
    void findsTheFilesInsideTheArchiveFolder() {
        DatasetFixtures.writeCifar10(dir.resolve("cifar-10-batches-bin"), 2, 3);

        TrainTest data = Datasets.load(dir, DatasetFormat.AUTO);

        assertThat(data.train().size()).isEqualTo(10);
        assertThat(data.train().name()).isEqualTo(dir.getFileName() + "/train");
        Datasets.validate(dir, DatasetFormat.CIFAR10);
    }

    @Test
    void aCifar10LabelOfTenIsOutOfRange() {
        DatasetFixtures.writeCifar10(dir, 2, 2);
        byte[] records = DatasetFixtures.cifar10Records(0, 2);
        records[1 + 3072] = 10; // the second record's label
        DatasetFixtures.write(dir.resolve("data_batch_3.bin"), records);

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.CIFAR10))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("data_batch_3.bin")
                .hasMessageContaining("record 1 has label 10")
                .hasMessageContaining("0..9");
    }

    @Test
    void aTruncatedBatchIsRefusedByLoadAndValidate() {
        DatasetFixtures.writeCifar10(dir, 2, 2);
        DatasetFixtures.truncate(dir.resolve("test_batch.bin"), 3073 + 100);

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.CIFAR10))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("test_batch.bin")
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> Datasets.validate(dir, DatasetFormat.CIFAR10)).hasMessageContaining("test_batch.bin");
    }

    @Test
    void aMissingBatchIsNamed() throws IOException {
        DatasetFixtures.writeCifar10(dir, 1, 1);
        Files.delete(dir.resolve("data_batch_4.bin"));

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.CIFAR10))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("missing data_batch_4.bin");
        assertThatThrownBy(() -> Datasets.validate(dir, DatasetFormat.CIFAR10))
                .hasMessageContaining("data_batch_4.bin");
    }

    @Test
    void anEmptyDirectoryIsNotCifar() {
        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.CIFAR10))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("data_batch_1.bin")
                .hasMessageContaining("cifar-10-batches-bin");
    }

    @Test
    void loadsCifar100FineLabelsWithNumberedClassesByDefault() {
        DatasetFixtures.writeCifar100(dir, 150, 7);

        TrainTest data = Datasets.load(dir, DatasetFormat.CIFAR100);

        ImageDataset train = data.train();
        assertThat(train.size()).isEqualTo(150);
        assertThat(train.numClasses()).isEqualTo(100);
        assertThat(train.classNames().get(42)).isEqualTo("42");
        assertThat(train.label(42)).isEqualTo(42); // the fine label, not the coarse 8
        assertThat(train.label(142)).isEqualTo(42);
        assertThat(train.pixel(142, 2, 31, 31)).isEqualTo(pixelValue(142, 3071));
        assertThat(data.test().size()).isEqualTo(7);
    }

    @Test
    void loadsCifar100NamesFromTheArchiveFolder() {
        Path archive = dir.resolve("cifar-100-binary");
        DatasetFixtures.writeCifar100(archive, 3, 2);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            names.add("fine-" + i);
        }
        DatasetFixtures.writeLines(archive.resolve("fine_label_names.txt"), names);

        TrainTest data = Datasets.load(dir, DatasetFormat.AUTO);

        assertThat(data.train().classNames()).isEqualTo(names);
        assertThat(data.test().classNames().get(data.test().label(1))).isEqualTo("fine-1");
    }

    @Test
    void aCifar100FileOfCifar10RecordsIsNotAWholeNumberOfRecords() {
        DatasetFixtures.writeCifar100(dir, 3, 2);
        DatasetFixtures.write(dir.resolve("test.bin"), DatasetFixtures.cifar10Records(0, 2));

        assertThatThrownBy(() -> Datasets.validate(dir, DatasetFormat.CIFAR100))
                .hasMessageContaining("test.bin")
                .hasMessageContaining("3074");
    }
}
