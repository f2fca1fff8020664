package dev.tailor.predictor;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Predicted accuracies for a search, remembered per config: evolution keeps re-scoring its
 * parents and re-breeding the same children, and a record's structural equals and hashCode make
 * the config itself the key (keying by the SHA-256 of its canonical JSON would add a rendering
 * and a digest to every lookup, hits included, for no gain). Misses of one call are scored as one
 * batch. The cache is least recently
 * used first out past {@code capacity} entries.
 *
 * <p>Meant for one search at a time: calls are serialised on the instance, so sharing it is safe
 * but concurrent searches would wait on each other.
 */
public final class CachedAccuracyScorer {

    public static final int DEFAULT_CAPACITY = 200_000;

    private final AccuracyPredictor predictor;
    private final SearchSpace space;
    private final Map<SubnetConfig, Double> cache;
    private long scored;

    public CachedAccuracyScorer(AccuracyPredictor predictor, SearchSpace space) {
        this(predictor, space, DEFAULT_CAPACITY);
    }

    public CachedAccuracyScorer(AccuracyPredictor predictor, SearchSpace space, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("cache capacity must be positive; got " + capacity);
        }
        int encodingLength = space.encode(space.smallest()).length;
        if (encodingLength != predictor.inputs()) {
            throw new IllegalArgumentException("search space " + space.name() + " encodes to " + encodingLength
                    + " entries; this predictor takes " + predictor.inputs());
        }
        this.predictor = predictor;
        this.space = space;
        this.cache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<SubnetConfig, Double> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Predicted accuracy (a fraction) of each config, in order; configs outside the space are refused. */
    public synchronized double[] score(List<SubnetConfig> configs) {
        double[] scores = new double[configs.size()];
        // positions of each config not in the cache; a config asked for twice is scored once
        Map<SubnetConfig, List<Integer>> missing = new LinkedHashMap<>();
        for (int i = 0; i < configs.size(); i++) {
            SubnetConfig config = configs.get(i);
            Double cached = cache.get(config);
            if (cached != null) {
                scores[i] = cached;
            } else {
                missing.computeIfAbsent(config, c -> new ArrayList<>()).add(i);
            }
        }
        if (missing.isEmpty()) {
            return scores;
        }
        List<SubnetConfig> misses = new ArrayList<>(missing.keySet());
        float[][] encodings = new float[misses.size()][];
        for (int m = 0; m < misses.size(); m++) {
            encodings[m] = space.encode(misses.get(m));
        }
        double[] fresh = predictor.score(encodings);
        scored += fresh.length;
        for (int m = 0; m < misses.size(); m++) {
            cache.put(misses.get(m), fresh[m]);
            for (int i : missing.get(misses.get(m))) {
                scores[i] = fresh[m];
            }
        }
        return scores;
    }

    public double score(SubnetConfig config) {
        return score(List.of(config))[0];
    }

    /** Forward passes run so far: distinct configs not found in the cache when asked for. */
    public synchronized long scored() {
        return scored;
    }

    public synchronized int cached() {
        return cache.size();
    }
}
