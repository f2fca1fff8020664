package dev.tailor.data;

import java.util.Objects;

/**
 * A training split cut in two: train to learn from, validation to choose models by, so the test split is only ever
 * used to report.
 */
public record TrainValidation(ImageDataset train, ImageDataset validation) {

    public TrainValidation {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(validation, "validation");
    }

    /**
     * Holds {@code validationSize} images out of {@code train}, chosen by a seeded shuffle, stratified by class so every
     * class keeps its share; deterministic for the same seed. Both parts list their images in the order they have in
     * {@code train} and share its pixels.
     *
     * @throws IllegalArgumentException when {@code validationSize < 1} or {@code validationSize >= train.size()}
     */
    public static TrainValidation split(ImageDataset train, int validationSize, long seed) {
        return StratifiedSplit.split(train, validationSize, seed);
    }
}
