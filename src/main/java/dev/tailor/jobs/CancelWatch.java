package dev.tailor.jobs;

import dev.tailor.catalogue.JobState;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Whether a running training job was cancelled ({@link TrainingJobCancellation}). A run asks at its
 * step boundaries; the job's state is read once every {@link #EVERY} at most (one small query). A
 * database that cannot be reached cancels nothing: the run's other watches deal with that.
 */
final class CancelWatch implements BooleanSupplier {

    static final Duration EVERY = Duration.ofSeconds(2);

    private final JdbcClient jdbc;
    private final UUID jobId;
    private long nextLook = System.nanoTime();
    private volatile boolean cancelled;

    CancelWatch(JdbcClient jdbc, UUID jobId) {
        this.jdbc = jdbc;
        this.jobId = jobId;
    }

    /** True once the job was found cancelled; it stays true. */
    @Override
    public boolean getAsBoolean() {
        if (cancelled) {
            return true;
        }
        long now = System.nanoTime();
        if (now - nextLook < 0) {
            return false;
        }
        nextLook = now + EVERY.toNanos();
        try {
            cancelled = jdbc.sql("select state from training_job where id = ?")
                    .param(jobId)
                    .query(String.class)
                    .optional()
                    .map(JobState.CANCELLED.name()::equals)
                    .orElse(false);
        } catch (RuntimeException away) {
            return false;
        }
        return cancelled;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** Looks now, whenever it last looked: before work that asks no more (the final evaluation). */
    boolean cancelledNow() {
        nextLook = System.nanoTime();
        return getAsBoolean();
    }
}
