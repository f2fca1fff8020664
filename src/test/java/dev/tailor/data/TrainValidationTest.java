package dev.tailor.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainValidationTest {

    /** 100 images in three classes of 60, 30 and 10; pixel i identifies image i. */
    private static ImageDataset unbalanced() {
        int[] labels = new int[100];
        for (int i = 0; i < 100; i++) {
            int slot = (i * 37) % 100; // spread the classes through the set
            labels[i] = slot < 60 ? 0 : slot < 90 ? 1 : 2;
        }
        return DatasetFixtures.tiny("unbalanced/train", 3, labels);
    }

    private static List<Integer> identities(ImageDataset data) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            ids.add(data.pixel(i, 0, 0, 0));
        }
        return ids;
    }

    private static int[] classCounts(ImageDataset data) {
        int[] counts = new int[data.numClasses()];
        for (int i = 0; i < data.size(); i++) {
            counts[data.label(i)]++;
        }
        return counts;
    }

    @Test
    void everyClassGivesItsShareToValidation() {
        TrainValidation split = TrainValidation.split(unbalanced(), 20, 42);

        assertThat(split.validation().size()).isEqualTo(20);
        assertThat(split.train().size()).isEqualTo(80);
        assertThat(classCounts(split.validation())).containsExactly(12, 6, 2);
        assertThat(classCounts(split.train())).containsExactly(48, 24, 8);
    }

    @Test
    void aClassOfOneImageKeepsItForTrainingWhereAnotherClassCanGiveTheRoundedUpImage() {
        // nine classes of 10 images and ten of 1: the one image left to round up went to a class of one (the
        // largest remainder, 0.1, for every seed), which then had nothing to train on
        int[] labels = new int[100];
        for (int i = 0; i < 90; i++) {
            labels[i] = i % 9;
        }
        for (int i = 90; i < 100; i++) {
            labels[i] = 9 + (i - 90);
        }
        for (long seed = 0; seed < 20; seed++) {
            TrainValidation split =
                    TrainValidation.split(DatasetFixtures.tiny("singletons/train", 19, labels), 10, seed);
            assertThat(split.validation().size()).isEqualTo(10);
            assertThat(classCounts(split.train())).as("seed " + seed).doesNotContain(0);
        }
    }

    @Test
    void roundingStillGivesExactlyTheSizeAskedFor() {
        for (int size = 1; size < 100; size++) {
            TrainValidation split = TrainValidation.split(unbalanced(), size, size);

            assertThat(split.validation().size()).isEqualTo(size);
            int[] counts = classCounts(split.validation());
            int[] shares = {60, 30, 10};
            for (int c = 0; c < 3; c++) {
                double exact = size * shares[c] / 100.0;
                assertThat((double) counts[c]).isBetween(Math.floor(exact), Math.ceil(exact));
            }
        }
    }

    @Test
    void thePartsAreDisjointCoverEverythingAndKeepTheOriginalOrder() {
        ImageDataset data = unbalanced();
        TrainValidation split = TrainValidation.split(data, 25, 7);

        List<Integer> train = identities(split.train());
        List<Integer> validation = identities(split.validation());
        assertThat(train).doesNotContainAnyElementsOf(validation).isSorted();
        assertThat(validation).isSorted();
        List<Integer> all = new ArrayList<>(train);
        all.addAll(validation);
        assertThat(all).hasSize(100).containsExactlyInAnyOrderElementsOf(identities(data));
        for (int i = 0; i < split.validation().size(); i++) {
            assertThat(split.validation().label(i)).isEqualTo(data.label(validation.get(i)));
        }
    }

    @Test
    void theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
        ImageDataset data = unbalanced();

        List<Integer> first = identities(TrainValidation.split(data, 20, 1).validation());
        List<Integer> again = identities(TrainValidation.split(data, 20, 1).validation());
        List<Integer> other = identities(TrainValidation.split(data, 20, 2).validation());

        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void thePartsAreNamedAfterTheDataset() {
        TrainValidation split = TrainValidation.split(unbalanced(), 10, 0);

        assertThat(split.train().name()).isEqualTo("unbalanced/train");
        assertThat(split.validation().name()).isEqualTo("unbalanced/validation");
    }

    @Test
    void theValidationSizeMustLeaveSomethingOnBothSides() {
        ImageDataset data = unbalanced();

        assertThatThrownBy(() -> TrainValidation.split(data, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrainValidation.split(data, 100, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(TrainValidation.split(data, 99, 1).train().size()).isEqualTo(1);
    }
}
