package dev.tailor.specialize;

import dev.tailor.InvalidSettingException;
import dev.tailor.api.Problems;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * How many searches a replica runs at once. A new budget costs a search of up to a second of one
 * core, in the request's own thread; unbounded, a few hundred new budgets at once (reads, and so
 * specializations, are open by default) would each get a slice of the cores, answer after minutes,
 * and starve the cached answers beside them. A request waits a little for a slot, then gets 503
 * with Retry-After; the same request later is searched then, or answered from the catalogue.
 */
@Component
class SearchSlots {

    private final Semaphore slots;
    private final int size;
    private final Duration wait;

    SearchSlots(
            @Value("${tailor.specialization.max-concurrent-searches:0}") int size,
            @Value("${tailor.specialization.search-slot-wait:PT5S}") Duration wait) {
        if (size < 0) {
            throw new InvalidSettingException(
                    "tailor.specialization.max-concurrent-searches", "must be 0 (one per core) or more; got " + size);
        }
        this.size = size == 0 ? Runtime.getRuntime().availableProcessors() : size;
        this.slots = new Semaphore(this.size, true);
        this.wait = wait;
    }

    /** A slot to search in, held until closed; 503 when none frees up within the wait. */
    Slot take() {
        try {
            if (slots.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                return slots::release;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problems.unavailable("the service is stopping; send the same request again", 10, Map.of());
        }
        throw Problems.unavailable(
                size + " searches for new budgets are running on this replica"
                        + " (tailor.specialization.max-concurrent-searches); send the same request again shortly:"
                        + " budgets served before are answered at once",
                2,
                Map.of("runningSearches", size));
    }

    int size() {
        return size;
    }

    /** A held slot. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }
}
