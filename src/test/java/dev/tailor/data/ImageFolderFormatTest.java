package dev.tailor.data;

import static dev.tailor.data.DatasetFixtures.colour;
import static dev.tailor.data.DatasetFixtures.grey;
import static dev.tailor.data.DatasetFixtures.writeImage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderFormatTest {

    @TempDir
    Path dir;

    /** Classes "cat" and "ant" (so sorting matters), 4x3 grey images. */
    private void writeGreyDataset() {
        writeImage(dir.resolve("train/cat/b.png"), grey(4, 3, 100));
        writeImage(dir.resolve("train/cat/a.png"), grey(4, 3, 50));
        writeImage(dir.resolve("train/ant/x.png"), grey(4, 3, 0));
        writeImage(dir.resolve("test/ant/t.png"), grey(4, 3, 200));
        writeImage(dir.resolve("test/cat/t.png"), grey(4, 3, 250));
    }

    @Test
    void loadsGreyImagesAsOneChannelWithSortedClasses() throws IOException {
        writeGreyDataset();
        Files.writeString(dir.resolve("train/cat/notes.txt"), "stray files are skipped");

        TrainTest data = Datasets.load(dir, DatasetFormat.IMAGE_FOLDER);

        ImageDataset train = data.train();
        assertThat(train.classNames()).containsExactly("ant", "cat");
        assertThat(train.size()).isEqualTo(3);
        assertThat(train.channels()).isEqualTo(1);
        assertThat(train.height()).isEqualTo(3);
        assertThat(train.width()).isEqualTo(4);
        // ant/x.png, then cat/a.png, then cat/b.png
        assertThat(new int[] {train.label(0), train.label(1), train.label(2)}).containsExactly(0, 1, 1);
        assertThat(train.pixel(0, 0, 0, 0)).isZero();
        assertThat(train.pixel(1, 0, 2, 3)).isEqualTo(50 + 23);
        assertThat(train.pixel(2, 0, 1, 2)).isEqualTo(100 + 12);
        ImageDataset test = data.test();
        assertThat(test.size()).isEqualTo(2);
        assertThat(test.pixel(1, 0, 2, 3)).isEqualTo((250 + 23) % 256);
    }

    @Test
    void oneColourImageMakesEveryImageThreeChannels() {
        writeGreyDataset();
        writeImage(dir.resolve("test/cat/u.png"), colour(4, 3, 10, 20, 30));

        TrainTest data = Datasets.load(dir, DatasetFormat.IMAGE_FOLDER);

        assertThat(data.train().channels()).isEqualTo(3);
        assertThat(data.test().channels()).isEqualTo(3);
        ImageDataset test = data.test();
        assertThat(test.pixel(2, 0, 1, 1)).isEqualTo(10);
        assertThat(test.pixel(2, 1, 1, 1)).isEqualTo(20);
        assertThat(test.pixel(2, 2, 1, 1)).isEqualTo(30);
        // grey images repeat their grey level in all three channels
        for (int c = 0; c < 3; c++) {
            assertThat(data.train().pixel(1, c, 2, 3)).isEqualTo(50 + 23);
        }
    }

    @Test
    void readsJpegImages() {
        writeImage(dir.resolve("train/a/1.jpg"), colour(8, 8, 200, 40, 40));
        writeImage(dir.resolve("train/b/1.jpg"), colour(8, 8, 40, 40, 200));
        writeImage(dir.resolve("test/a/1.jpg"), colour(8, 8, 200, 40, 40));
        writeImage(dir.resolve("test/b/1.jpg"), colour(8, 8, 40, 40, 200));

        TrainTest data = Datasets.load(dir, DatasetFormat.AUTO);

        assertThat(data.train().channels()).isEqualTo(3);
        // JPEG is lossy: close to the colour written, not equal
        assertThat(data.train().pixel(0, 0, 4, 4)).isBetween(185, 215);
        assertThat(data.train().pixel(1, 2, 4, 4)).isBetween(185, 215);
    }

    @Test
    void anImageOfAnotherSizeIsNamedWithBothSizes() {
        writeGreyDataset();
        writeImage(dir.resolve("test/cat/odd.png"), grey(5, 3, 0));

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IMAGE_FOLDER))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("odd.png is 5x3")
                .hasMessageContaining("x.png is 4x3");
        assertThatThrownBy(() -> Datasets.validate(dir, DatasetFormat.IMAGE_FOLDER))
                .hasMessageContaining("odd.png");
    }

    @Test
    void aFileThatIsNoImageIsNamed() throws IOException {
        writeGreyDataset();
        Files.writeString(dir.resolve("train/ant/broken.png"), "not a png at all");

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IMAGE_FOLDER))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("broken.png");
        assertThatThrownBy(() -> Datasets.validate(dir, DatasetFormat.IMAGE_FOLDER))
                .hasMessageContaining("broken.png");
    }

    @Test
    void aPngCutShortIsNamedWhenDecoded() throws IOException {
        writeGreyDataset();
        Path cut = writeImage(dir.resolve("train/ant/cut.png"), grey(4, 3, 7));
        // signature and header chunk take 33 bytes: cut inside the pixel data that follows
        DatasetFixtures.truncate(cut, 45);

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IMAGE_FOLDER))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("cut.png")
                .hasMessageContaining("cannot decode");
    }

    @Test
    void testMustHaveTheSameClassesAsTrain() throws IOException {
        writeGreyDataset();
        writeImage(dir.resolve("test/dog/t.png"), grey(4, 3, 1));

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IMAGE_FOLDER))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("dog");

        Files.delete(dir.resolve("test/dog/t.png"));
        Files.delete(dir.resolve("test/dog"));
        Files.delete(dir.resolve("test/ant/t.png"));
        Files.delete(dir.resolve("test/ant"));
        assertThatThrownBy(() -> Datasets.validate(dir, DatasetFormat.IMAGE_FOLDER))
                .hasMessageContaining("missing")
                .hasMessageContaining("ant");
    }

    @Test
    void aTrainClassWithoutImagesIsNamed() throws IOException {
        writeGreyDataset();
        Files.createDirectories(dir.resolve("train/empty"));
        Files.createDirectories(dir.resolve("test/empty"));

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IMAGE_FOLDER))
                .hasMessageContaining("empty")
                .hasMessageContaining("no .png");
    }

    @Test
    void aSingleClassIsRefusedForItTrainsNothing() {
        // every loss of one class is 0: hours of training on weight decay alone, registered at 100 %
        writeImage(dir.resolve("train/only/1.png"), grey(2, 2, 0));
        writeImage(dir.resolve("train/only/2.png"), grey(2, 2, 1));
        writeImage(dir.resolve("test/only/1.png"), grey(2, 2, 2));

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.IMAGE_FOLDER))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("one class folder (only)")
                .hasMessageContaining("at least 2 classes");
    }

    @Test
    void aMissingTestFolderIsNamed() {
        writeImage(dir.resolve("train/a/1.png"), grey(2, 2, 0));

        assertThatThrownBy(() -> Datasets.load(dir, DatasetFormat.AUTO))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("missing folder")
                .hasMessageContaining("test");
    }
}
