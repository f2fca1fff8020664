package dev.tailor.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a dataset directory is laid out on disk. */
public enum DatasetFormat {
    /** Decide from the files present. */
    AUTO,
    /** MNIST-style IDX files, plain or gzipped. */
    IDX,
    /** The CIFAR-10 binary version. */
    CIFAR10,
    /** The CIFAR-100 binary version (fine labels). */
    CIFAR100,
    /** {@code train/<class>/*.png} and {@code test/<class>/*.png}. */
    IMAGE_FOLDER;

    /** The spelling shown to users: lower case, words joined by a hyphen. */
    String displayName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Reads a format name as users write it: any case, with or without hyphens or underscores, so that
     * "image-folder", "IMAGE_FOLDER" and "cifar-10" all work.
     */
    public static DatasetFormat parse(String text) {
        if (text != null) {
            String wanted = squeeze(text);
            for (DatasetFormat format : values()) {
                if (squeeze(format.name()).equals(wanted)) {
                    return format;
                }
            }
        }
        throw new DatasetException("unknown dataset format '" + text + "'; use one of " + allowed());
    }

    static String allowed() {
        return Arrays.stream(values()).map(DatasetFormat::displayName).collect(Collectors.joining(", "));
    }

    private static String squeeze(String text) {
        return text.strip().replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }
}
