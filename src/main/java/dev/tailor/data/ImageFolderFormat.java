package dev.tailor.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One folder per class: {@code train/<class>/*.png} and {@code test/<class>/*.png} (or .jpg, .jpeg). Class names are the
 * train folder names in sorted order, so labels do not depend on the order the file system lists them.
 */
final class ImageFolderFormat {

    static final String TRAIN = "train";
    static final String TEST = "test";

    private ImageFolderFormat() {}

    /** The images of one split with their labels, in class order, then file name order. */
    private record Split(Path folder, List<ImageFiles.Probe> images, int[] labels) {}

    /** Everything known before decoding pixels. */
    private record Survey(List<String> classes, Split train, Split test, int width, int height, boolean grey) {}

    /** A train folder with at least one class folder in it. */
    static boolean present(Path dir) {
        Path train = dir.resolve(TRAIN);
        return Files.isDirectory(train) && !classFolders(train).isEmpty();
    }

    static TrainTest load(Path dir) {
        Survey survey = survey(dir);
        int channels = survey.grey() ? 1 : 3;
        TrainTest loaded = decode(dir, survey, channels);
        // null: a header claimed grey but the image is colour; rare enough that reading everything again is fine
        return loaded != null ? loaded : decode(dir, survey, 3);
    }

    /** Folders, class names, image headers and sizes; pixels are not decoded. */
    static void validate(Path dir) {
        survey(dir);
    }

    private static Survey survey(Path dir) {
        Path trainFolder = dir.resolve(TRAIN);
        Path testFolder = dir.resolve(TEST);
        for (Path folder : List.of(trainFolder, testFolder)) {
            if (!Files.isDirectory(folder)) {
                throw new DatasetException("missing folder " + folder + "; an image-folder dataset needs "
                        + "train/<class>/*.png and test/<class>/*.png (or .jpg) in " + dir);
            }
        }
        List<String> classes = classFolders(trainFolder);
        if (classes.isEmpty()) {
            throw new DatasetException(trainFolder + " has no class folders; put each class's images in " + trainFolder
                    + "/<class name>/");
        }
        if (classes.size() < 2) {
            // with one class every loss is 0: a run trained for hours on weight decay alone and scored 100 %
            throw new DatasetException(trainFolder + " has one class folder (" + classes.get(0) + "); a classifier"
                    + " needs at least 2 classes, each in " + trainFolder + "/<class name>/");
        }
        requireSameClasses(classes, testFolder);
        Split train = list(trainFolder, classes, true);
        Split test = list(testFolder, classes, false);
        ImageFiles.Probe first = train.images().get(0);
        boolean grey = true;
        for (Split split : List.of(train, test)) {
            for (ImageFiles.Probe image : split.images()) {
                if (image.width() != first.width() || image.height() != first.height()) {
                    throw new DatasetException(image.file() + " is " + image.size() + " but " + first.file() + " is "
                            + first.size() + "; all images must have the same size, so resize or remove it");
                }
                grey &= image.grey();
            }
        }
        return new Survey(classes, train, test, first.width(), first.height(), grey);
    }

    private static void requireSameClasses(List<String> trainClasses, Path testFolder) {
        List<String> testClasses = classFolders(testFolder);
        Set<String> known = new HashSet<>(trainClasses);
        for (String testClass : testClasses) {
            if (!known.contains(testClass)) {
                throw new DatasetException(testFolder.resolve(testClass) + " is a class that train/ does not have;"
                        + " test must have the same class folders as train (" + String.join(", ", trainClasses) + ")");
            }
        }
        for (String trainClass : trainClasses) {
            if (!testClasses.contains(trainClass)) {
                throw new DatasetException("missing " + testFolder.resolve(trainClass)
                        + "; test must have the same class folders as train (" + String.join(", ", trainClasses) + ")");
            }
        }
    }

    /**
     * Probes every image. Each train class needs an image to learn from; a test class may be empty, but the test split
     * as a whole may not.
     */
    private static Split list(Path splitFolder, List<String> classes, boolean everyClassNeedsImages) {
        List<ImageFiles.Probe> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int label = 0; label < classes.size(); label++) {
            Path classFolder = splitFolder.resolve(classes.get(label));
            List<Path> files = imageFiles(classFolder);
            if (files.isEmpty() && everyClassNeedsImages) {
                throw new DatasetException(
                        classFolder + " has no .png, .jpg or .jpeg images; add some or remove the" + " folder");
            }
            for (Path file : files) {
                images.add(ImageFiles.probe(file));
                labels.add(label);
            }
        }
        if (images.isEmpty()) {
            throw new DatasetException(splitFolder + " has no .png, .jpg or .jpeg images in its class folders");
        }
        return new Split(
                splitFolder, images, labels.stream().mapToInt(Integer::intValue).toArray());
    }

    private static TrainTest decode(Path dir, Survey survey, int channels) {
        ImageDataset train = decode(DatasetFiles.datasetName(dir, TRAIN), survey.train(), survey, channels);
        if (train == null) {
            return null;
        }
        ImageDataset test = decode(DatasetFiles.datasetName(dir, TEST), survey.test(), survey, channels);
        return test == null ? null : new TrainTest(train, test);
    }

    private static ImageDataset decode(String name, Split split, Survey survey, int channels) {
        long imageBytes = (long) channels * survey.width() * survey.height();
        long total = imageBytes * split.images().size();
        byte[] pixels = DatasetFiles.pixelArray(
                total,
                split.folder() + " (" + split.images().size() + " images of " + survey.width() + "x" + survey.height()
                        + ")");
        for (int i = 0; i < split.images().size(); i++) {
            Path file = split.images().get(i).file();
            if (!ImageFiles.decodeInto(
                    file, channels, survey.width(), survey.height(), pixels, (int) (i * imageBytes))) {
                return null;
            }
        }
        return new ImageDataset(
                name, channels, survey.height(), survey.width(), survey.classes(), pixels, split.labels());
    }

    /** Sub-folders, sorted; hidden ones (.git, .ipynb_checkpoints) are not classes. */
    private static List<String> classFolders(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(Files::isDirectory)
                    .map(path -> path.getFileName().toString())
                    .filter(name -> !name.startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw DatasetFiles.readFailed(folder, e);
        }
    }

    /**
     * Image files by name. Other files are skipped rather than refused: class folders often carry stray files such as
     * Thumbs.db or .DS_Store.
     */
    private static List<Path> imageFiles(Path classFolder) {
        try (Stream<Path> entries = Files.list(classFolder)) {
            return entries.filter(Files::isRegularFile)
                    .filter(ImageFolderFormat::hasImageExtension)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw DatasetFiles.readFailed(classFolder, e);
        }
    }

    private static boolean hasImageExtension(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"));
    }
}
