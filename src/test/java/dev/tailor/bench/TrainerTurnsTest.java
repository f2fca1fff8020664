package dev.tailor.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailor.space.SearchSpace;
import dev.tailor.training.GeneratedImages;
import dev.tailor.training.TrainingData;
import org.junit.jupiter.api.Test;

class TrainerTurnsTest {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);

    private static TrainingData data() {
        // 448 training images: 28 steps of 16
        return TrainingData.prepare("generated", GeneratedImages.make(512, 64, 10, 3), 64, 1);
    }

    @Test
    void aTrainerRunsTheStepsOfEachTurnAndWaitsBetweenThem() {
        try (TrainerTurns sandwich = new TrainerTurns(SPACE, data(), "sandwich", 16, 6, "test-sandwich-steps")) {
            assertThat(sandwich.run(2)).isPositive();
            assertThat(sandwich.run(1)).isPositive();
            assertThat(sandwich.run(3)).isPositive();
            // its epoch has one step more than asked for (so that it never reaches the epoch's end), not two
            assertThatThrownBy(() -> sandwich.run(2))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ran out of steps");
        }
    }

    @Test
    void closingATrainerBetweenTurnsEndsItsThreadAndLaterTurnsAreRefused() {
        TrainerTurns fullModel = new TrainerTurns(SPACE, data(), "deps", 16, 20, "test-full-model-steps");
        assertThat(fullModel.run(2)).isPositive();

        fullModel.close();

        assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName))
                .doesNotContain("test-full-model-steps");
        assertThatThrownBy(() -> fullModel.run(1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aTrainerThatCannotStartFailsItsFirstTurnWithTheReason() {
        // a batch larger than the training set: the trainer refuses to start
        try (TrainerTurns tooBig = new TrainerTurns(SPACE, data(), "sandwich", 4096, 4, "test-refused-steps")) {
            assertThatThrownBy(() -> tooBig.run(1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("batch size 4096 is larger than the");
        }
    }
}
