package dev.tailor.specialize;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * What every specialization request looks up first (the device, the supernet that answers and its
 * current predictor; answers already given), kept in memory so that a repeated request costs no
 * database round trip. Lookups that can change are kept for {@link #FRESH_NANOS} only, so a newly
 * trained supernet or a refitted predictor is served at most that much later, by every replica.
 * Stored answers are kept for {@link #ANSWER_FRESH_NANOS} (and until the map grows past
 * {@link #MAX_ANSWERS}): their key names the predictor version and the device's latency revision, but
 * a host-cpu answer timed in a slow episode is timed again later and rewritten in place, and a replica
 * that kept it for good served the slow figure while the stored answer said otherwise. A lookup that
 * throws is not kept.
 */
@Component
class RecentLookups {

    static final long FRESH_NANOS = 2_000_000_000L;
    static final int MAX_ANSWERS = 10_000;
    static final long ANSWER_FRESH_NANOS = 60_000_000_000L;

    private record Entry(Object value, long until) {}

    private final Map<String, Entry> recent = new ConcurrentHashMap<>();
    private volatile long nextSweep = System.nanoTime();
    private final Map<String, Entry> answers = new ConcurrentHashMap<>();
    private final long answerFreshNanos;

    RecentLookups() {
        this(ANSWER_FRESH_NANOS);
    }

    RecentLookups(long answerFreshNanos) {
        this.answerFreshNanos = answerFreshNanos;
    }

    @SuppressWarnings("unchecked")
    <T> T fresh(String key, Supplier<T> lookup) {
        long now = System.nanoTime();
        Entry entry = recent.get(key);
        if (entry != null && now - entry.until() < 0) {
            return (T) entry.value();
        }
        T value = lookup.get();
        remember(key, value, now);
        return value;
    }

    /** Looks up now, whatever is remembered, and remembers the result. */
    <T> T refresh(String key, Supplier<T> lookup) {
        T value = lookup.get();
        remember(key, value, System.nanoTime());
        return value;
    }

    /**
     * Lookups past their time are dropped now and then, not only when asked for again: one for a supernet
     * nobody names any more would hold its predictor and score cache for good.
     */
    private void remember(String key, Object value, long now) {
        recent.put(key, new Entry(value, now + FRESH_NANOS));
        if (now - nextSweep >= 0) {
            nextSweep = now + FRESH_NANOS;
            recent.values().removeIf(entry -> now - entry.until() >= 0);
        }
    }

    /** Lookups held now, fresh or not yet swept. */
    int heldLookups() {
        return recent.size();
    }

    java.util.Optional<SpecializationResponse> answer(
            String key, Supplier<java.util.Optional<SpecializationResponse>> stored) {
        Entry known = answers.get(key);
        if (known != null && System.nanoTime() - known.until() < 0) {
            return java.util.Optional.of((SpecializationResponse) known.value());
        }
        java.util.Optional<SpecializationResponse> found = stored.get();
        found.ifPresent(response -> remember(key, response));
        return found;
    }

    void remember(String key, SpecializationResponse response) {
        if (answers.size() >= MAX_ANSWERS) {
            answers.clear();
        }
        answers.put(key, new Entry(response, System.nanoTime() + answerFreshNanos));
    }
}
