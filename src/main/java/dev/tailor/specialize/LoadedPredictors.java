package dev.tailor.specialize;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The predictors held in memory, one per supernet, for the few supernets asked for most recently. Each
 * carries a score cache of up to {@code CachedAccuracyScorer.DEFAULT_CAPACITY} configs (about 75 MB when
 * full): kept for every supernet ever served, a service that trains a new one now and then would fill its
 * heap with the caches of supernets nobody asks for any more. One that is asked for again is read back
 * from its artifact.
 */
final class LoadedPredictors {

    static final int MAX_SUPERNETS = 3;

    private final Map<UUID, PredictorStore.Loaded> bySupernet = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, PredictorStore.Loaded> eldest) {
            return size() > MAX_SUPERNETS;
        }
    };

    synchronized PredictorStore.Loaded get(UUID supernetId) {
        return bySupernet.get(supernetId);
    }

    synchronized void put(UUID supernetId, PredictorStore.Loaded loaded) {
        bySupernet.put(supernetId, loaded);
    }

    synchronized int size() {
        return bySupernet.size();
    }
}
