package dev.tailor.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Human names for labels, so reports say "Sneaker" rather than 7. */
final class ClassNames {

    static final List<String> FASHION_MNIST = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** The published CIFAR-10 order, used when the batches come without batches.meta.txt. */
    static final List<String> CIFAR10 =
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private ClassNames() {}

    /** "0", "1", ... for datasets that ship no names. */
    static List<String> numbered(int count) {
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(Integer.toString(i));
        }
        return List.copyOf(names);
    }

    /**
     * One name per line; blank lines are skipped because the published CIFAR meta files end with some. Throws unless
     * exactly {@code expected} names are found, since a short list would mislabel every class after the gap.
     */
    static List<String> readNamesFile(Path file, int expected) {
        List<String> names = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    names.add(line.strip());
                }
            }
        } catch (IOException e) {
            throw DatasetFiles.readFailed(file, e);
        }
        if (names.size() != expected) {
            throw new DatasetException(file + " lists " + names.size() + " class names but the dataset has " + expected
                    + " classes; fix the file (one name per line) or delete it to use default names");
        }
        return List.copyOf(names);
    }
}
