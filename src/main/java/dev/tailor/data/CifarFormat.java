package dev.tailor.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** CIFAR-10 and CIFAR-100 in their binary versions. */
final class CifarFormat {

    /** Java arrays stop a little short of Integer.MAX_VALUE. */
    private static final long LARGEST_ARRAY = Integer.MAX_VALUE - 8;

    private CifarFormat() {}

    /** Whether {@code dir}, or the archive's folder inside it, holds the variant's first training file. */
    static boolean present(Path dir, CifarVariant variant) {
        return root(dir, variant) != null;
    }

    static TrainTest load(Path dir, CifarVariant variant) {
        Path root = requireRoot(dir, variant);
        List<String> names = classNames(root, variant);
        ImageDataset train =
                read(DatasetFiles.datasetName(dir, "train"), requireFiles(root, variant.trainFiles), variant, names);
        ImageDataset test = read(
                DatasetFiles.datasetName(dir, "test"), requireFiles(root, List.of(variant.testFile)), variant, names);
        return new TrainTest(train, test);
    }

    /** Files present, sizes a whole number of records, names file well-formed; labels are not read. */
    static void validate(Path dir, CifarVariant variant) {
        Path root = requireRoot(dir, variant);
        classNames(root, variant);
        records(requireFiles(root, variant.trainFiles), variant);
        records(requireFiles(root, List.of(variant.testFile)), variant);
    }

    private static Path root(Path dir, CifarVariant variant) {
        String first = variant.trainFiles.get(0);
        if (Files.isRegularFile(dir.resolve(first))) {
            return dir;
        }
        Path archive = dir.resolve(variant.archiveFolder);
        return Files.isRegularFile(archive.resolve(first)) ? archive : null;
    }

    private static Path requireRoot(Path dir, CifarVariant variant) {
        Path root = root(dir, variant);
        if (root == null) {
            throw new DatasetException("missing " + variant.trainFiles.get(0) + " in " + dir + " and in "
                    + dir.resolve(variant.archiveFolder) + "; a " + variant.displayName + " binary dataset needs "
                    + String.join(", ", variant.trainFiles) + " and " + variant.testFile
                    + " (unpack the binary version of the archive there)");
        }
        return root;
    }

    private static List<Path> requireFiles(Path root, List<String> names) {
        List<Path> files = new ArrayList<>(names.size());
        for (String name : names) {
            Path file = root.resolve(name);
            if (!Files.isRegularFile(file)) {
                throw new DatasetException("missing " + name + " in " + root + "; unpack the whole archive again");
            }
            files.add(file);
        }
        return files;
    }

    private static List<String> classNames(Path root, CifarVariant variant) {
        Path namesFile = root.resolve(variant.namesFile);
        return Files.isRegularFile(namesFile)
                ? ClassNames.readNamesFile(namesFile, variant.classes)
                : variant.defaultNames;
    }

    /** Records per file, each file checked to hold a whole, non-zero number of them. */
    private static long[] records(List<Path> files, CifarVariant variant) {
        long[] records = new long[files.size()];
        long total = 0;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            long size = DatasetFiles.size(file);
            if (size == 0 || size % variant.recordBytes() != 0) {
                throw new DatasetException(file + " is " + size + " bytes, not a whole number of "
                        + variant.displayName + " records of " + variant.recordBytes()
                        + " bytes; it is truncated or not " + variant.displayName + ", download it again");
            }
            records[i] = size / variant.recordBytes();
            total += records[i];
        }
        if (total * CifarVariant.IMAGE_BYTES > LARGEST_ARRAY) {
            throw new DatasetException(files.get(0) + " and the files with it hold " + total
                    + " images, more than fits in memory as one array; use a smaller dataset");
        }
        return records;
    }

    private static ImageDataset read(String name, List<Path> files, CifarVariant variant, List<String> names) {
        long[] records = records(files, variant);
        int total = 0;
        for (long count : records) {
            total += (int) count;
        }
        byte[] pixels = DatasetFiles.pixelArray((long) total * CifarVariant.IMAGE_BYTES, files.get(0));
        int[] labels = new int[total];
        byte[] labelBytes = new byte[variant.labelBytes];
        int image = 0;
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            try (InputStream in = DatasetFiles.open(file)) {
                for (int r = 0; r < records[f]; r++, image++) {
                    int read = in.readNBytes(labelBytes, 0, labelBytes.length);
                    read += in.readNBytes(pixels, image * CifarVariant.IMAGE_BYTES, CifarVariant.IMAGE_BYTES);
                    if (read < variant.recordBytes()) {
                        // the size was checked, so only a file changing under us ends up here
                        throw new DatasetException(file + " ended inside record " + r + "; download it again");
                    }
                    int label = labelBytes[variant.labelIndex] & 0xFF;
                    if (label >= variant.classes) {
                        throw new DatasetException(file + ": record " + r + " has label " + label + " but "
                                + variant.displayName + " labels are 0.." + (variant.classes - 1)
                                + "; the file is damaged or belongs to another dataset");
                    }
                    labels[image] = label;
                }
            } catch (IOException e) {
                throw DatasetFiles.readFailed(file, e);
            }
        }
        return new ImageDataset(
                name, CifarVariant.CHANNELS, CifarVariant.SIDE, CifarVariant.SIDE, names, pixels, labels);
    }
}
