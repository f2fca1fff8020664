package dev.tailor.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** File handling shared by the formats, with errors worded for the person who has to fix the dataset. */
final class DatasetFiles {

    /** Large enough that reading a 47 MB file is a few hundred system calls, not thousands. */
    static final int BUFFER_SIZE = 1 << 16;

    /** Java arrays stop a little short of Integer.MAX_VALUE. */
    static final long LARGEST_ARRAY = Integer.MAX_VALUE - 8;

    private DatasetFiles() {}

    static void requireDirectory(Path dir) {
        if (dir == null) {
            throw new DatasetException("no dataset directory given");
        }
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("dataset directory " + dir + " does not exist or is not a directory");
        }
    }

    /** "fashion-mnist/train" for {@code /usr/share/datasets/fashion-mnist}: the folder's name, then the split. */
    static String datasetName(Path dir, String split) {
        return folderName(dir) + "/" + split;
    }

    static String folderName(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return name == null ? "dataset" : name.toString();
    }

    static boolean isGzipName(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
    }

    /** Opens a file for reading, decompressing it when its name ends in .gz. */
    static InputStream open(Path file) {
        try {
            InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER_SIZE);
            if (!isGzipName(file)) {
                return raw;
            }
            try {
                return new GZIPInputStream(raw, BUFFER_SIZE);
            } catch (IOException e) {
                raw.close();
                throw e;
            }
        } catch (EOFException e) {
            throw new DatasetException(file + " is empty or truncated; download it again", e);
        } catch (ZipException e) {
            throw new DatasetException(
                    file + " is named .gz but is not gzip-compressed (" + e.getMessage() + "); rename it without .gz",
                    e);
        } catch (IOException e) {
            throw readFailed(file, e);
        }
    }

    static DatasetException readFailed(Path file, IOException e) {
        if (e instanceof ZipException) {
            return new DatasetException(
                    file + " is a damaged gzip file (" + e.getMessage() + "); download it again", e);
        }
        if (e instanceof EOFException) {
            return new DatasetException(file + " is truncated (" + e.getMessage() + "); download it again", e);
        }
        return new DatasetException("cannot read " + file + ": " + e, e);
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw readFailed(file, e);
        }
    }

    /**
     * The array a split's pixels are decoded into. The dataset lives on the Java heap, which `./tailor` caps (training's
     * tensors live outside it), so a dataset larger than the heap is told how to raise it instead of dying on an
     * OutOfMemoryError.
     */
    static byte[] pixelArray(long bytes, Object source) {
        return pixelArray(bytes, source, size -> new byte[size]);
    }

    static byte[] pixelArray(long bytes, Object source, IntFunction<byte[]> allocator) {
        if (bytes > LARGEST_ARRAY) {
            throw new DatasetException(source + " holds " + megabytes(bytes)
                    + " MB of pixels, more than fits in memory as one array; use fewer or smaller images");
        }
        try {
            return allocator.apply((int) bytes);
        } catch (OutOfMemoryError e) {
            throw new DatasetException(
                    source + " needs " + megabytes(bytes) + " MB of heap for its pixels and the"
                            + " Java heap (at most "
                            + megabytes(Runtime.getRuntime().maxMemory()) + " MB) has no room for"
                            + " them; give Java a larger heap, e.g. JAVA_OPTS=-Xmx4g ./tailor ...",
                    e);
        }
    }

    private static long megabytes(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    /** The first of {@code names} present in {@code dir}, or null. */
    static Path firstPresent(Path dir, Iterable<String> names) {
        for (String name : names) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
