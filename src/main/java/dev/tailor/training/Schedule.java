package dev.tailor.training;

import dev.tailor.space.SubnetConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A weight-shared training schedule: its phases over the epochs, its learning rate at every step,
 * and which subnets each step trains. Everything follows from the epoch, the step, a seeded random
 * source and, for a schedule that adapts (depth-expansion), the validation accuracies it was told
 * of, kept in a state that goes into every checkpoint; so a run resumed from a checkpoint takes the
 * same path it would have taken.
 */
interface Schedule {

    String name();

    List<Phase> phases();

    default Phase phaseAt(int epoch) {
        return phases().stream()
                .filter(phase -> epoch >= phase.startEpoch() && epoch < phase.endEpoch())
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no phase holds epoch " + epoch));
    }

    double learningRate(long globalStep);

    List<SubnetRun> plan(int epoch, long globalStep, Random random);

    /** Weight changes due when {@code epoch} begins (a channel reorganisation, freezing a teacher). */
    default List<EpochStart> atEpochStart(int epoch) {
        return List.of();
    }

    /** DεpS's ε for reporting; 1 where a schedule has none. */
    default double epsilon(long globalStep) {
        return 1;
    }

    /** Classifiers the supernet needs: 1, or one per total depth (ODN's exit heads). */
    default int exitHeads() {
        return 1;
    }

    /** The subnet whose validation accuracy the schedule wants after {@code epoch}, if any. */
    default Optional<SubnetConfig> validateAfter(int epoch) {
        return Optional.empty();
    }

    /** The validation top-1 (0..1) of the subnet {@link #validateAfter} asked for. */
    default void validated(int epoch, double top1) {}

    /** Whether the schedule has ended before the epoch budget (ODN's fine-tuning converged). */
    default boolean finished() {
        return false;
    }

    /** What the schedule decided that is not in the weights, as JSON; null when it keeps nothing. */
    default String saveState() {
        return null;
    }

    default void restoreState(String state) {}

    /** The subnets a finished run reports, by role (largest, smallest, and any the schedule chose). */
    default Map<String, SubnetConfig> reportedSubnets(dev.tailor.space.SearchSpace space) {
        Map<String, SubnetConfig> reported = new LinkedHashMap<>();
        reported.put("largest", space.largest());
        reported.put("smallest", space.smallest());
        return reported;
    }

    /** What the schedule found, for the job's record (ODN: the optimal depth); empty for most. */
    default Map<String, Object> report() {
        return Map.of();
    }

    /** A named span of epochs, {@code [startEpoch, endEpoch)}. */
    record Phase(String name, int startEpoch, int endEpoch) {

        int epochs() {
            return endEpoch - startEpoch;
        }
    }

    sealed interface EpochStart {
        /** OFA's re_organize_middle_weights with this expand stage. */
        record ReorganizeChannels(int expandStage) implements EpochStart {}

        /**
         * Keep a frozen copy of the current weights: OFA's distillation teacher, ODN's warm-up
         * checkpoint.
         */
        record FreezeTeacher() implements EpochStart {}

        /** Put the frozen copy's weights back into the supernet (ODN reloads its warm-up checkpoint). */
        record RestoreFrozenWeights() implements EpochStart {}

        /** Start the optimizer afresh: momentum to zero (ODN builds a new optimizer). */
        record ResetOptimizer() implements EpochStart {}
    }
}
