package dev.tailor.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The real dataset, from the {@code dataset-fashion-mnist} package ({@code ./tailor test} installs it). */
class FashionMnistTest {

    private static final Path INSTALLED = Datasets.INSTALLED_FASHION_MNIST;

    @Test
    void loadsTheInstalledFashionMnistQuickly() {
        InstalledDataset.require();

        long validateStart = System.nanoTime();
        Datasets.validate(INSTALLED, DatasetFormat.AUTO);
        long loadStart = System.nanoTime();
        TrainTest data = Datasets.load(INSTALLED, DatasetFormat.AUTO);
        long loaded = System.nanoTime();
        Normalization norm = Normalization.of(data.train());
        long normalized = System.nanoTime();
        System.out.printf(
                "Fashion-MNIST: validate %d ms, load %d ms, Normalization.of %d ms; %s%n",
                (loadStart - validateStart) / 1_000_000,
                (loaded - loadStart) / 1_000_000,
                (normalized - loaded) / 1_000_000,
                norm);

        for (ImageDataset split : new ImageDataset[] {data.train(), data.test()}) {
            assertThat(split.channels()).isEqualTo(1);
            assertThat(split.height()).isEqualTo(28);
            assertThat(split.width()).isEqualTo(28);
            assertThat(split.classNames()).isEqualTo(ClassNames.FASHION_MNIST);
            int[] perClass = new int[10];
            for (int i = 0; i < split.size(); i++) {
                assertThat(split.label(i)).isBetween(0, 9);
                perClass[split.label(i)]++;
            }
            // Fashion-MNIST is balanced: every class has a tenth of each split
            assertThat(perClass).containsOnly(split.size() / 10);
        }
        assertThat(data.train().size()).isEqualTo(60000);
        assertThat(data.test().size()).isEqualTo(10000);
        assertThat(data.train().name()).isEqualTo("fashion-mnist/train");
        // the published statistics of the training images
        assertThat(norm.mean()[0]).isBetween(0.28f, 0.29f);
        assertThat(norm.std()[0]).isBetween(0.35f, 0.36f);
        assertThat((loaded - loadStart) / 1e9).as("seconds to load").isLessThan(10);
    }
}
