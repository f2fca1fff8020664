package dev.tailor.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** MNIST and Fashion-MNIST: IDX files of unsigned bytes, one grey channel. */
final class IdxFormat {

    private IdxFormat() {}

    /** Images and labels of one split, read and checked against each other. */
    private record Split(IdxHeader images, byte[] pixels, IdxHeader labelsHeader, int[] labels) {}

    static TrainTest load(Path dir) {
        IdxFiles files = IdxFiles.locate(dir);
        Split train = readSplit(files.trainImages(), files.trainLabels());
        Split test = readSplit(files.testImages(), files.testLabels());
        requireSameImageSize(train.images(), test.images());
        List<String> names = classNames(dir, train, test);
        int rows = train.images().rows();
        int cols = train.images().cols();
        return new TrainTest(
                new ImageDataset(
                        DatasetFiles.datasetName(dir, "train"), 1, rows, cols, names, train.pixels(), train.labels()),
                new ImageDataset(
                        DatasetFiles.datasetName(dir, "test"), 1, rows, cols, names, test.pixels(), test.labels()));
    }

    /** Headers and sizes only; pixels are not read, and gzipped files are only decompressed when their size is off. */
    static void validate(Path dir) {
        IdxFiles files = IdxFiles.locate(dir);
        IdxHeader trainImages = checkFile(files.trainImages(), IdxHeader.Kind.IMAGES);
        IdxHeader trainLabels = checkFile(files.trainLabels(), IdxHeader.Kind.LABELS);
        IdxHeader testImages = checkFile(files.testImages(), IdxHeader.Kind.IMAGES);
        IdxHeader testLabels = checkFile(files.testLabels(), IdxHeader.Kind.LABELS);
        requireSameCount(trainImages, trainLabels);
        requireSameCount(testImages, testLabels);
        requireSameImageSize(trainImages, testImages);
    }

    private static Split readSplit(Path imagesFile, Path labelsFile) {
        IdxHeader images;
        byte[] pixels;
        try (InputStream in = DatasetFiles.open(imagesFile)) {
            images = IdxHeader.read(in, imagesFile, IdxHeader.Kind.IMAGES);
            pixels = readPayload(in, images, imagesFile);
        } catch (IOException e) {
            throw DatasetFiles.readFailed(imagesFile, e);
        }
        IdxHeader labelsHeader;
        byte[] labelBytes;
        try (InputStream in = DatasetFiles.open(labelsFile)) {
            labelsHeader = IdxHeader.read(in, labelsFile, IdxHeader.Kind.LABELS);
            labelBytes = readPayload(in, labelsHeader, labelsFile);
        } catch (IOException e) {
            throw DatasetFiles.readFailed(labelsFile, e);
        }
        requireSameCount(images, labelsHeader);
        int[] labels = new int[labelBytes.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = labelBytes[i] & 0xFF;
        }
        return new Split(images, pixels, labelsHeader, labels);
    }

    /** Reads exactly what the header promises and insists the file ends there. */
    private static byte[] readPayload(InputStream in, IdxHeader header, Path file) throws IOException {
        byte[] payload = DatasetFiles.pixelArray(header.payloadBytes(), file);
        int read = in.readNBytes(payload, 0, payload.length);
        if (read < payload.length) {
            throw header.truncated(read);
        }
        if (in.read() != -1) {
            throw header.overlong();
        }
        return payload;
    }

    /**
     * Fashion-MNIST has ten named classes, so a label of 10 or more is corrupt. Other IDX datasets (MNIST and the
     * like) carry no names: they get one class per label value up to the largest seen.
     */
    private static List<String> classNames(Path dir, Split train, Split test) {
        if (DatasetFiles.folderName(dir).toLowerCase(Locale.ROOT).contains("fashion")) {
            List<String> names = ClassNames.FASHION_MNIST;
            requireLabelsBelow(train, names.size());
            requireLabelsBelow(test, names.size());
            return names;
        }
        int largest = Math.max(largestLabel(train.labels()), largestLabel(test.labels()));
        return ClassNames.numbered(largest + 1);
    }

    private static void requireLabelsBelow(Split split, int classes) {
        int[] labels = split.labels();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= classes) {
                throw new DatasetException(split.labelsHeader().file() + ": label " + labels[i] + " of item " + i
                        + " is out of range 0.." + (classes - 1) + " for Fashion-MNIST; the file is damaged or not"
                        + " Fashion-MNIST (rename the directory without \"fashion\" to load it as plain IDX)");
            }
        }
    }

    private static int largestLabel(int[] labels) {
        int largest = 0;
        for (int label : labels) {
            largest = Math.max(largest, label);
        }
        return largest;
    }

    private static void requireSameCount(IdxHeader images, IdxHeader labels) {
        if (images.count() != labels.count()) {
            throw new DatasetException(labels.file() + " holds " + labels.count() + " labels but "
                    + images.file().getFileName() + " holds " + images.count()
                    + " images; both must come from the same release");
        }
    }

    private static void requireSameImageSize(IdxHeader train, IdxHeader test) {
        if (train.rows() != test.rows() || train.cols() != test.cols()) {
            throw new DatasetException(test.file() + " has images of " + test.rows() + "x" + test.cols() + " but "
                    + train.file().getFileName() + " has " + train.rows() + "x" + train.cols()
                    + "; train and test must have the same image size");
        }
    }

    private static IdxHeader checkFile(Path file, IdxHeader.Kind kind) {
        IdxHeader header;
        try (InputStream in = DatasetFiles.open(file)) {
            header = IdxHeader.read(in, file, kind);
        } catch (IOException e) {
            throw DatasetFiles.readFailed(file, e);
        }
        long actual =
                DatasetFiles.isGzipName(file) ? gzipContentSize(file, header.fileBytes()) : DatasetFiles.size(file);
        if (actual < header.fileBytes()) {
            throw header.truncated(Math.max(0, actual - kind.headerBytes()));
        }
        if (actual > header.fileBytes()) {
            throw header.overlong();
        }
        return header;
    }

    /**
     * The uncompressed size of a gzip file. Its last four bytes record that size modulo 2^32; when they match what is
     * expected the file is taken as whole, otherwise it is decompressed and counted to find out what is wrong.
     */
    private static long gzipContentSize(Path file, long expected) {
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            long size = channel.size();
            if (size >= 18) { // a gzip member's fixed header and trailer alone take 18 bytes
                ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                channel.position(size - 4);
                while (trailer.hasRemaining() && channel.read(trailer) > 0) {}
                if (!trailer.hasRemaining() && Integer.toUnsignedLong(trailer.getInt(0)) == (expected & 0xFFFFFFFFL)) {
                    return expected;
                }
            }
        } catch (IOException e) {
            throw DatasetFiles.readFailed(file, e);
        }
        try (InputStream in = DatasetFiles.open(file)) {
            byte[] buffer = new byte[DatasetFiles.BUFFER_SIZE];
            long total = 0;
            for (int read; (read = in.read(buffer)) != -1; ) {
                total += read;
            }
            return total;
        } catch (IOException e) {
            throw DatasetFiles.readFailed(file, e);
        }
    }
}
