package dev.tailor.training;

/** Receives a run's progress and its checkpoints; both calls happen on the training thread. */
public interface TrainingListener {

    default void onProgress(TrainingProgress progress) {}

    /** A whole-state checkpoint after {@code epoch} (from 0) finished; storing it makes the run resumable. */
    default void onCheckpoint(int epoch, Checkpoint checkpoint, byte[] bytes) {}

    /**
     * The run stopped part-way through {@code epoch} (from 0) after {@code steps} of its steps; the
     * checkpoint of those steps, made when asked for, resumes at the next one. A listener that keeps
     * it saves a stop the steps done since the last epoch's end; one that does not resumes from that.
     */
    default void onStoppedPartWay(
            int epoch, int steps, Checkpoint checkpoint, java.util.function.Supplier<byte[]> bytes) {}

    /** Whether the run should stop at the next step boundary (a cancelled job). */
    default boolean stopRequested() {
        return false;
    }
}
