package dev.tailor.data;

import java.util.Objects;

/** A dataset's two published splits: train to learn from, test to report on. */
public record TrainTest(ImageDataset train, ImageDataset test) {

    public TrainTest {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
    }
}
