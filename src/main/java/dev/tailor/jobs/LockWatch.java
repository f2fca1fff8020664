package dev.tailor.jobs;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Whether a job's advisory lock went away with the database session that held it (PostgreSQL
 * restarted, the session was killed). The lock is what keeps a second process from taking the job
 * up: without it a worker would revive the job, or {@code train} resume it, beside this run, both
 * writing its checkpoints. So a run asks at its step boundaries and stops once the lock is gone;
 * the session is looked at once every {@link #EVERY} at most (one round trip).
 */
final class LockWatch implements BooleanSupplier {

    static final Duration EVERY = Duration.ofSeconds(2);

    private final Connection session;
    private long nextLook = System.nanoTime();
    private volatile boolean lost;

    LockWatch(Connection session) {
        this.session = session;
    }

    /** True once the session holding the lock was found ended; it stays true. */
    @Override
    public boolean getAsBoolean() {
        if (lost) {
            return true;
        }
        long now = System.nanoTime();
        if (now - nextLook < 0) {
            return false;
        }
        nextLook = now + EVERY.toNanos();
        try {
            lost = !session.isValid(2);
        } catch (SQLException e) {
            lost = true;
        }
        return lost;
    }

    boolean lost() {
        return lost;
    }

    /** Looks now, whenever it last looked: before a write that only the lock's holder may make. */
    boolean heldNow() {
        nextLook = System.nanoTime();
        return !getAsBoolean();
    }
}
