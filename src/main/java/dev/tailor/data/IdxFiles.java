package dev.tailor.data;

import java.nio.file.Path;
import java.util.List;

/**
 * The four files of an MNIST-style dataset. Each may be plain or gzipped, and spelled with a hyphen (as published by
 * LeCun and Zalando) or with a dot before "idx" (as some mirrors and torchvision leave them).
 */
record IdxFiles(Path trainImages, Path trainLabels, Path testImages, Path testLabels) {

    private static final String[] STEMS = {
        "train-images", "idx3-ubyte",
        "train-labels", "idx1-ubyte",
        "t10k-images", "idx3-ubyte",
        "t10k-labels", "idx1-ubyte"
    };

    static boolean present(Path dir) {
        return DatasetFiles.firstPresent(dir, candidates(0)) != null;
    }

    static IdxFiles locate(Path dir) {
        Path[] found = new Path[4];
        for (int i = 0; i < 4; i++) {
            found[i] = DatasetFiles.firstPresent(dir, candidates(i));
            if (found[i] == null) {
                throw new DatasetException("missing " + canonicalName(i) + " in " + dir
                        + " (also looked for it with .gz and spelled " + STEMS[2 * i] + "." + STEMS[2 * i + 1]
                        + "); an IDX dataset needs train-images-idx3-ubyte, train-labels-idx1-ubyte,"
                        + " t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte");
            }
        }
        return new IdxFiles(found[0], found[1], found[2], found[3]);
    }

    /** Plain before gzipped: when both are there the plain one is quicker to read. */
    private static List<String> candidates(int file) {
        String hyphen = canonicalName(file);
        String dot = STEMS[2 * file] + "." + STEMS[2 * file + 1];
        return List.of(hyphen, hyphen + ".gz", dot, dot + ".gz");
    }

    private static String canonicalName(int file) {
        return STEMS[2 * file] + "-" + STEMS[2 * file + 1];
    }
}
