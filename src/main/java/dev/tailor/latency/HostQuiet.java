package dev.tailor.latency;

import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * Keeps this process's own heavy work off the cores while it times a model on them: a timing
 * holds the lock alone; a unit of heavy work (one catalogue subnet's evaluation) holds it shared,
 * so a timing waits for the unit under way to end and the next waits for the timing. Measured on
 * the first run: an export timed while the catalogue build evaluated subnets beside it came out
 * about 10 % slower than the host's latency model. Other processes on the host are not covered.
 */
@Component
public class HostQuiet {

    private final ReadWriteLock lock = new ReentrantReadWriteLock(true);

    /** Runs {@code timing} with no heavy work of this process running beside it. */
    public <T> T timing(Supplier<T> timing) {
        lock.writeLock().lock();
        try {
            return timing.get();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Runs one unit of heavy work; it waits while a timing is under way. */
    public <T> T heavy(Supplier<T> work) {
        lock.readLock().lock();
        try {
            return work.get();
        } finally {
            lock.readLock().unlock();
        }
    }
}
