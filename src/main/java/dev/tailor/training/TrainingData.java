package dev.tailor.training;

import dev.tailor.data.ImageDataset;
import dev.tailor.data.Normalization;
import dev.tailor.data.TrainTest;
import dev.tailor.data.TrainValidation;

/**
 * The three splits a run uses: training, a validation split held out of the training set for
 * everything that chooses, and the test set for reporting only. Normalisation comes from the
 * training split alone.
 */
public record TrainingData(
        String datasetName,
        ImageDataset train,
        ImageDataset validation,
        ImageDataset test,
        Normalization normalization) {

    public static TrainingData prepare(String datasetName, TrainTest loaded, int validationSize, long seed) {
        if (validationSize >= loaded.train().size()) {
            throw new IllegalArgumentException("validationSize " + validationSize + " must be smaller than the "
                    + loaded.train().size() + " training images");
        }
        TrainValidation split = TrainValidation.split(loaded.train(), validationSize, seed);
        return new TrainingData(
                datasetName, split.train(), split.validation(), loaded.test(), Normalization.of(split.train()));
    }
}
