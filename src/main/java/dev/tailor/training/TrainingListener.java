package dev.tailor.training;

/** Receives a run's progress and its checkpoints; both calls happen on the training thread. */
public interface TrainingListener {

    default void onProgress(TrainingProgress progress) {}

    /** A whole-state checkpoint after {@code epoch} (from 0) finished; storing it makes the run resumable. */
    default void onCheckpoint(int epoch, Checkpoint checkpoint, byte[] bytes) {}

    /** Whether the run should stop at the next step boundary (a cancelled job). */
    default boolean stopRequested() {
        return false;
    }
}
