package dev.tailor.jobs;

import dev.tailor.cost.SubnetCosts;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Which subnets a catalogue build evaluates, in which order. Uniform sampling crowds the middle
 * of the MACs range, where a predictor needs the least help; so the largest, the smallest and each
 * resolution's extremes come first, then configs drawn round-robin from equal-width MACs bins, so
 * that any prefix of the list (a build stopped half-way) still spans the range. The list depends
 * only on the space, the class count, the size and the seed: a resumed build walks the same one.
 */
final class CatalogueSampler {

    static final int BINS = 10;
    /** Random configs drawn per requested subnet to fill the bins from. */
    private static final int POOL_FACTOR = 20;

    private CatalogueSampler() {}

    static List<SubnetConfig> plan(SearchSpace space, int numClasses, int count, long seed) {
        Set<SubnetConfig> chosen = new LinkedHashSet<>();
        chosen.add(space.largest());
        chosen.add(space.smallest());
        for (int resolution : space.resolutions()) {
            chosen.add(atResolution(space.largest(), resolution));
            chosen.add(atResolution(space.smallest(), resolution));
        }
        if (count <= chosen.size()) {
            return List.copyOf(chosen).subList(0, count);
        }
        Random random = new Random(seed);
        List<Sampled> pool = new ArrayList<>();
        Set<SubnetConfig> seen = new LinkedHashSet<>(chosen);
        int draws = Math.max(2_000, count * POOL_FACTOR);
        for (int i = 0; i < draws; i++) {
            SubnetConfig config = space.sample(random);
            if (seen.add(config)) {
                pool.add(new Sampled(config, macs(space, config, numClasses)));
            }
        }
        double low = macs(space, space.smallest(), numClasses);
        double high = macs(space, space.largest(), numClasses);
        List<List<SubnetConfig>> bins = new ArrayList<>();
        for (int b = 0; b < BINS; b++) {
            bins.add(new ArrayList<>());
        }
        for (Sampled sampled : pool) {
            int bin = (int) Math.floor((sampled.macs() - low) / Math.max(1, high - low) * BINS);
            bins.get(Math.max(0, Math.min(BINS - 1, bin))).add(sampled.config());
        }
        int[] next = new int[BINS];
        boolean added = true;
        while (chosen.size() < count && added) {
            added = false;
            for (int b = 0; b < BINS && chosen.size() < count; b++) {
                if (next[b] < bins.get(b).size()) {
                    chosen.add(bins.get(b).get(next[b]++));
                    added = true;
                }
            }
        }
        return List.copyOf(chosen);
    }

    static long macs(SearchSpace space, SubnetConfig config, int numClasses) {
        return SubnetCosts.of(SubnetPlan.of(space, config, numClasses)).macs();
    }

    private static SubnetConfig atResolution(SubnetConfig config, int resolution) {
        return new SubnetConfig(resolution, config.depths(), config.kernels(), config.expands());
    }

    private record Sampled(SubnetConfig config, long macs) {}
}
