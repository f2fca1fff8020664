package dev.tailor.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The big-endian header of an IDX file of unsigned bytes: a magic number, then the item count and, for images, rows
 * and columns. Labels are read as 1x1 items so both kinds share the size arithmetic.
 */
record IdxHeader(Path file, Kind kind, int count, int rows, int cols) {

    /** Java arrays stop a little short of Integer.MAX_VALUE. */
    private static final long LARGEST_ARRAY = Integer.MAX_VALUE - 8;

    enum Kind {
        IMAGES(0x00000803, 3, "images"),
        LABELS(0x00000801, 1, "labels");

        final int magic;
        final int dimensions;
        final String noun;

        Kind(int magic, int dimensions, String noun) {
            this.magic = magic;
            this.dimensions = dimensions;
            this.noun = noun;
        }

        int headerBytes() {
            return 4 + 4 * dimensions;
        }
    }

    /** Reads and checks the header, leaving {@code in} at the first payload byte. */
    static IdxHeader read(InputStream in, Path file, Kind kind) {
        byte[] bytes = new byte[kind.headerBytes()];
        int read;
        try {
            read = in.readNBytes(bytes, 0, bytes.length);
        } catch (IOException e) {
            throw DatasetFiles.readFailed(file, e);
        }
        ByteBuffer header = ByteBuffer.wrap(bytes); // big-endian, as IDX is
        if (read >= 4) {
            checkMagic(file, kind, header.getInt(0));
        }
        if (read < bytes.length) {
            throw new DatasetException(file + " is too short (" + read + " bytes) to hold an IDX " + kind.noun
                    + " header of " + bytes.length + " bytes; download it again");
        }
        int count = header.getInt(4);
        int rows = kind == Kind.IMAGES ? header.getInt(8) : 1;
        int cols = kind == Kind.IMAGES ? header.getInt(12) : 1;
        if (count < 0 || rows < 1 || cols < 1) {
            throw new DatasetException(file + " has an impossible header: " + count + " " + kind.noun + " of " + rows
                    + "x" + cols + "; download it again");
        }
        IdxHeader result = new IdxHeader(file, kind, count, rows, cols);
        if (result.payloadBytes() > LARGEST_ARRAY) {
            throw new DatasetException(file + " holds " + result.payloadBytes() + " bytes of " + kind.noun
                    + ", more than fits in memory as one array; use a smaller dataset");
        }
        return result;
    }

    private static void checkMagic(Path file, Kind kind, int magic) {
        if (magic == kind.magic) {
            return;
        }
        String found = String.format("0x%08X", magic);
        String wanted = String.format("0x%08X", kind.magic);
        Kind other = kind == Kind.IMAGES ? Kind.LABELS : Kind.IMAGES;
        if (magic == other.magic) {
            throw new DatasetException(file + " holds IDX " + other.noun + " (magic " + found + ") where " + kind.noun
                    + " (magic " + wanted + ") were expected; are the files swapped?");
        }
        if ((magic >>> 16) == 0x1F8B) {
            throw new DatasetException(file + " is gzip-compressed but its name does not end in .gz; rename it to "
                    + file.getFileName() + ".gz");
        }
        throw new DatasetException(file + " does not start with the IDX " + kind.noun + " magic number " + wanted
                + " (found " + found + "); it is not an MNIST-style " + kind.noun + " file");
    }

    /** Bytes after the header: one per pixel, or one per label. */
    long payloadBytes() {
        return (long) count * rows * cols;
    }

    /** What the whole file must measure, uncompressed. */
    long fileBytes() {
        return kind.headerBytes() + payloadBytes();
    }

    DatasetException truncated(long payloadPresent) {
        return new DatasetException(file + " is truncated: its header promises " + describe() + " ("
                + payloadBytes() + " bytes after the header) but only " + payloadPresent
                + " bytes follow; download it again");
    }

    DatasetException overlong() {
        return new DatasetException(file + " has bytes left over after the " + describe()
                + " its header promises; it is damaged or not an IDX file, download it again");
    }

    private String describe() {
        return kind == Kind.IMAGES ? count + " images of " + rows + "x" + cols : count + " labels";
    }
}
