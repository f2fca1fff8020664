package dev.tailor.training;

import java.util.List;
import java.util.Random;

/**
 * A weight-shared training schedule: its phases over the epochs, its learning rate at every step,
 * and which subnets each step trains. Everything follows from the epoch, the step and a seeded
 * random source, so a run resumed from a checkpoint takes the same path it would have taken.
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

    /** A named span of epochs, {@code [startEpoch, endEpoch)}. */
    record Phase(String name, int startEpoch, int endEpoch) {

        int epochs() {
            return endEpoch - startEpoch;
        }
    }

    sealed interface EpochStart {
        /** OFA's re_organize_middle_weights with this expand stage. */
        record ReorganizeChannels(int expandStage) implements EpochStart {}

        /** Keep a frozen copy of the current weights as the distillation teacher. */
        record FreezeTeacher() implements EpochStart {}
    }
}
