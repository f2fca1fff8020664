package dev.tailor.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Entry point for the trainer: find, check and load datasets. */
public final class Datasets {

    /** Where the {@code dataset-fashion-mnist} package installs Fashion-MNIST. */
    static final Path INSTALLED_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    static final String DIRECTORY_VARIABLE = "TAILOR_DATASET_DIR";

    private Datasets() {}

    /**
     * Loads train and test sets from {@code dir} in {@code format} ({@link DatasetFormat#AUTO} detects it from the files
     * present). Everything is validated before returning: missing files, wrong magic numbers, truncated files,
     * image/label count mismatches, labels out of range and inconsistent image sizes all throw a
     * {@link DatasetException} naming the file.
     */
    public static TrainTest load(Path dir, DatasetFormat format) {
        DatasetFiles.requireDirectory(dir);
        return switch (resolve(dir, format)) {
            case IDX -> IdxFormat.load(dir);
            case CIFAR10 -> CifarFormat.load(dir, CifarVariant.CIFAR10);
            case CIFAR100 -> CifarFormat.load(dir, CifarVariant.CIFAR100);
            case IMAGE_FOLDER -> ImageFolderFormat.load(dir);
            case AUTO -> throw new IllegalStateException("resolve never returns AUTO");
        };
    }

    /**
     * A cheap check, reading headers and file sizes but not pixels, that {@code dir} is a loadable dataset of
     * {@code format}; it lets a training job be refused before any work starts. Label values are only checked by
     * {@link #load}, because for CIFAR they are spread through the whole file.
     *
     * @throws DatasetException naming the file at fault
     */
    public static void validate(Path dir, DatasetFormat format) {
        DatasetFiles.requireDirectory(dir);
        switch (resolve(dir, format)) {
            case IDX -> IdxFormat.validate(dir);
            case CIFAR10 -> CifarFormat.validate(dir, CifarVariant.CIFAR10);
            case CIFAR100 -> CifarFormat.validate(dir, CifarVariant.CIFAR100);
            case IMAGE_FOLDER -> ImageFolderFormat.validate(dir);
            case AUTO -> throw new IllegalStateException("resolve never returns AUTO");
        }
    }

    /**
     * Where the default dataset, Fashion-MNIST, lives: {@code envValue} (the value of {@code TAILOR_DATASET_DIR}, may
     * be null) when set, else {@code /usr/share/datasets/fashion-mnist} when it exists.
     *
     * @throws DatasetException when neither is there, saying how to install the dataset
     */
    public static Path defaultDatasetDirectory(String envValue) {
        return defaultDatasetDirectory(envValue, INSTALLED_FASHION_MNIST);
    }

    /** As {@link #defaultDatasetDirectory(String)}, with the installed location as a parameter for tests. */
    static Path defaultDatasetDirectory(String envValue, Path installed) {
        if (envValue != null && !envValue.isBlank()) {
            Path configured = Path.of(envValue.strip());
            // a typo in the variable should be reported as such, not silently replaced by the installed copy
            if (!Files.isDirectory(configured)) {
                throw new DatasetException(DIRECTORY_VARIABLE + " is " + configured
                        + ", which is not a directory; point it at a directory holding the four Fashion-MNIST IDX"
                        + " files, or unset it to use " + installed);
            }
            return configured;
        }
        if (Files.isDirectory(installed)) {
            return installed;
        }
        throw new DatasetException("no dataset found: " + installed + " does not exist and " + DIRECTORY_VARIABLE
                + " is not set; install it with `apt-get install dataset-fashion-mnist` or set " + DIRECTORY_VARIABLE
                + " to a directory holding the four Fashion-MNIST IDX files");
    }

    /** The format to read {@code dir} as: {@code format} itself unless it is AUTO. */
    static DatasetFormat resolve(Path dir, DatasetFormat format) {
        if (format == null) {
            throw new DatasetException("no dataset format given; use one of " + DatasetFormat.allowed());
        }
        return format == DatasetFormat.AUTO ? detect(dir) : format;
    }

    /** Looks for each format's signature file, most specific first. */
    static DatasetFormat detect(Path dir) {
        if (IdxFiles.present(dir)) {
            return DatasetFormat.IDX;
        }
        if (CifarFormat.present(dir, CifarVariant.CIFAR10)) {
            return DatasetFormat.CIFAR10;
        }
        if (CifarFormat.present(dir, CifarVariant.CIFAR100)) {
            return DatasetFormat.CIFAR100;
        }
        if (ImageFolderFormat.present(dir)) {
            return DatasetFormat.IMAGE_FOLDER;
        }
        throw new DatasetException("cannot tell the format of " + dir + ": looked for train-images-idx3-ubyte[.gz]"
                + " (IDX), data_batch_1.bin or cifar-10-batches-bin/data_batch_1.bin (CIFAR-10), train.bin or"
                + " cifar-100-binary/train.bin (CIFAR-100) and train/<class>/ folders (image folder);"
                + " add the files or name the format explicitly");
    }
}
