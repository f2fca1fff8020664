package dev.tailor.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real Fashion-MNIST that tests of the default paths read. It must be there: a test that
 * skipped itself without it would pass on a machine where it proves nothing. {@code ./tailor test}
 * (the README's test command, and CI's) installs it first.
 */
public final class InstalledDataset {

    private InstalledDataset() {}

    public static Path require() {
        Path directory = Datasets.INSTALLED_FASHION_MNIST;
        assertThat(Files.isDirectory(directory))
                .as("the default dataset is not installed at " + directory
                        + ": run the tests with ./tailor test, which installs it (apt-get install"
                        + " dataset-fashion-mnist)")
                .isTrue();
        return directory;
    }
}
