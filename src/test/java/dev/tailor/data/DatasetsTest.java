package dev.tailor.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    @TempDir
    Path dir;

    @Test
    void autoDetectsIdx() {
        DatasetFixtures.writeIdxDataset(dir, 10, 5, 2, 2, true);

        assertThat(Datasets.detect(dir)).isEqualTo(DatasetFormat.IDX);
        assertThat(Datasets.load(dir, DatasetFormat.AUTO).train().size()).isEqualTo(10);
    }

    @Test
    void autoDetectsCifar10() {
        DatasetFixtures.writeCifar10(dir, 1, 1);

        assertThat(Datasets.detect(dir)).isEqualTo(DatasetFormat.CIFAR10);
        assertThat(Datasets.load(dir, DatasetFormat.AUTO).train().size()).isEqualTo(5);
    }

    @Test
    void autoDetectsCifar100() {
        DatasetFixtures.writeCifar100(dir, 2, 1);

        assertThat(Datasets.detect(dir)).isEqualTo(DatasetFormat.CIFAR100);
        assertThat(Datasets.load(dir, DatasetFormat.AUTO).train().numClasses()).isEqualTo(100);
    }

    @Test
    void autoDetectsAnImageFolder() {
        DatasetFixtures.writeImage(dir.resolve("train/a/1.png"), DatasetFixtures.grey(2, 2, 0));
        DatasetFixtures.writeImage(dir.resolve("train/b/1.png"), DatasetFixtures.grey(2, 2, 1));
        DatasetFixtures.writeImage(dir.resolve("test/a/1.png"), DatasetFixtures.grey(2, 2, 0));
        DatasetFixtures.writeImage(dir.resolve("test/b/1.png"), DatasetFixtures.grey(2, 2, 1));

        assertThat(Datasets.detect(dir)).isEqualTo(DatasetFormat.IMAGE_FOLDER);
        assertThat(Datasets.load(dir, DatasetFormat.AUTO).train().classNames()).containsExactly("a", "b");
    }

    @Test
    void autoSaysWhatItLookedFor() throws IOException {
        Files.createDirectories(dir.resolve("train")); // a train folder without class folders is no image folder

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.AUTO))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("train-images-idx3-ubyte")
                .hasMessageContaining("data_batch_1.bin")
                .hasMessageContaining("train.bin")
                .hasMessageContaining("train/<class>");
        assertThatThrownBy(() -> Datasets.validate(dir, DatasetFormat.AUTO)).isInstanceOf(DatasetException.class);
    }

    @Test
    void aMissingDirectoryIsNamed() {
        Path missing = dir.resolve("nowhere");

        assertThatThrownBy(() -> Datasets.load(missing, DatasetFormat.IDX))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("nowhere");
        assertThatThrownBy(() -> Datasets.validate(missing, DatasetFormat.AUTO)).hasMessageContaining("nowhere");
    }

    @Test
    void theNamedFormatWinsOverDetection() {
        DatasetFixtures.writeIdxDataset(dir, 10, 5, 2, 2, false);

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.CIFAR10)).hasMessageContaining("data_batch_1.bin");
    }

    @Test
    void defaultDirectoryIsTheEnvironmentVariableWhenSet(@TempDir Path installed) {
        assertThat(Datasets.defaultDatasetDirectory(dir.toString(), installed)).isEqualTo(dir);
    }

    @Test
    void defaultDirectoryFallsBackToTheInstalledCopy(@TempDir Path installed) {
        assertThat(Datasets.defaultDatasetDirectory(null, installed)).isEqualTo(installed);
        assertThat(Datasets.defaultDatasetDirectory("  ", installed)).isEqualTo(installed);
    }

    @Test
    void defaultDirectoryMissingSaysHowToInstallIt() {
        Path absent = dir.resolve("fashion-mnist");

        assertThatThrownBy(() -> Datasets.defaultDatasetDirectory(null, absent))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("apt-get install dataset-fashion-mnist")
                .hasMessageContaining("TAILOR_DATASET_DIR")
                .hasMessageContaining(absent.toString());
    }

    @Test
    void anEnvironmentVariableNamingNoDirectoryIsReported(@TempDir Path installed) {
        String typo = dir.resolve("fahsion").toString();

        assertThatThrownBy(() -> Datasets.defaultDatasetDirectory(typo, installed))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("TAILOR_DATASET_DIR")
                .hasMessageContaining("fahsion");
    }
}
