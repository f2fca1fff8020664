package dev.tailor.data;

import java.util.Arrays;
import java.util.Random;

/**
 * Picks a validation set whose class mix matches the training set's. Each class gives its proportional share,
 * rounded by largest remainder so the shares add up to exactly the size asked for; ties in rounding go to classes in a
 * seeded random order, so no class is always the one that gets the extra image.
 */
final class StratifiedSplit {

    private StratifiedSplit() {}

    static TrainValidation split(ImageDataset data, int validationSize, long seed) {
        int size = data.size();
        if (validationSize < 1 || validationSize >= size) {
            throw new IllegalArgumentException("validation size must be between 1 and " + (size - 1) + " for "
                    + data.name() + " (" + size + " images), was " + validationSize);
        }
        Random random = new Random(seed);
        int[][] byClass = indicesByClass(data);
        for (int[] members : byClass) {
            shuffle(members, random);
        }
        int[] quotas = quotas(byClass, size, validationSize, random);

        boolean[] held = new boolean[size];
        for (int c = 0; c < byClass.length; c++) {
            for (int i = 0; i < quotas[c]; i++) {
                held[byClass[c][i]] = true;
            }
        }
        int[] validation = new int[validationSize];
        int[] train = new int[size - validationSize];
        int v = 0;
        int t = 0;
        for (int i = 0; i < size; i++) {
            if (held[i]) {
                validation[v++] = i;
            } else {
                train[t++] = i;
            }
        }
        String base = data.name().endsWith("/train")
                ? data.name().substring(0, data.name().length() - "/train".length())
                : data.name();
        return new TrainValidation(data.subset(train, base + "/train"), data.subset(validation, base + "/validation"));
    }

    private static int[][] indicesByClass(ImageDataset data) {
        int[] counts = new int[data.numClasses()];
        for (int i = 0; i < data.size(); i++) {
            counts[data.label(i)]++;
        }
        int[][] byClass = new int[counts.length][];
        for (int c = 0; c < counts.length; c++) {
            byClass[c] = new int[counts[c]];
        }
        int[] filled = new int[counts.length];
        for (int i = 0; i < data.size(); i++) {
            int label = data.label(i);
            byClass[label][filled[label]++] = i;
        }
        return byClass;
    }

    private static int[] quotas(int[][] byClass, int size, int validationSize, Random random) {
        int classes = byClass.length;
        int[] quotas = new int[classes];
        long[] remainders = new long[classes];
        int given = 0;
        for (int c = 0; c < classes; c++) {
            long exact = (long) validationSize * byClass[c].length;
            quotas[c] = (int) (exact / size);
            remainders[c] = exact % size;
            given += quotas[c];
        }
        // a quota rounded down never reaches its class: validationSize < size makes every exact share below the count
        Integer[] order = new Integer[classes];
        int[] shuffled = new int[classes];
        for (int c = 0; c < classes; c++) {
            shuffled[c] = c;
        }
        shuffle(shuffled, random);
        for (int c = 0; c < classes; c++) {
            order[c] = shuffled[c];
        }
        Arrays.sort(order, (a, b) -> Long.compare(remainders[b], remainders[a])); // stable: ties keep the shuffle
        // a class keeps one training image where it can: the largest remainder went to a class of one image
        // for any seed (its share of the split is 0.x), which then had nothing to train on
        for (int keep = 1; keep >= 0 && given < validationSize; keep--) {
            for (int i = 0; i < classes && given < validationSize; i++) {
                int c = order[i];
                if (quotas[c] < byClass[c].length - keep) {
                    quotas[c]++;
                    given++;
                }
            }
        }
        return quotas;
    }

    private static void shuffle(int[] values, Random random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }
}
