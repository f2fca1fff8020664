package dev.tailor.data;

import java.util.List;

/**
 * The two CIFAR binary layouts. Both store fixed-size records of label bytes followed by a 32x32 colour image, already
 * channel-planar (all red, then green, then blue), which is exactly the CHW order {@link ImageDataset} keeps.
 */
enum CifarVariant {
    CIFAR10(
            "CIFAR-10",
            "cifar-10-batches-bin",
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"),
            "test_batch.bin",
            1,
            0,
            10,
            "batches.meta.txt",
            ClassNames.CIFAR10),
    /** Records carry a coarse label (20 super-classes) then the fine label (100 classes); the fine one is used. */
    CIFAR100(
            "CIFAR-100",
            "cifar-100-binary",
            List.of("train.bin"),
            "test.bin",
            2,
            1,
            100,
            "fine_label_names.txt",
            ClassNames.numbered(100));

    static final int CHANNELS = 3;
    static final int SIDE = 32;
    static final int IMAGE_BYTES = CHANNELS * SIDE * SIDE;

    final String displayName;
    /** The folder the published archive unpacks to; accepted in place of the files themselves. */
    final String archiveFolder;

    final List<String> trainFiles;
    final String testFile;
    final int labelBytes;
    /** Which of the label bytes is the class. */
    final int labelIndex;

    final int classes;
    final String namesFile;
    final List<String> defaultNames;

    CifarVariant(
            String displayName,
            String archiveFolder,
            List<String> trainFiles,
            String testFile,
            int labelBytes,
            int labelIndex,
            int classes,
            String namesFile,
            List<String> defaultNames) {
        this.displayName = displayName;
        this.archiveFolder = archiveFolder;
        this.trainFiles = trainFiles;
        this.testFile = testFile;
        this.labelBytes = labelBytes;
        this.labelIndex = labelIndex;
        this.classes = classes;
        this.namesFile = namesFile;
        this.defaultNames = defaultNames;
    }

    int recordBytes() {
        return labelBytes + IMAGE_BYTES;
    }
}
