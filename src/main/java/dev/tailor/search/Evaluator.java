package dev.tailor.search;

import dev.tailor.space.SubnetConfig;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One search's memory of every genome it has met: its config, its costs on the metrics the
 * search needs (asked once, as configs come back again and again) and, once scored, its predicted
 * accuracy. Also what is within the budget's limits.
 */
final class Evaluator {

    private final Encoding encoding;
    private final CostModel costModel;
    private final AccuracyScorer scorer;
    private final List<Metric> metrics;
    private final double[] limits;
    private final Map<Genome, Entry> entries = new HashMap<>();
    private int scored;
    private double bestAccuracy = Double.NEGATIVE_INFINITY;

    private static final class Entry {
        final SubnetConfig config;
        final double[] costs;
        double accuracy = Double.NaN;

        Entry(SubnetConfig config, double[] costs) {
            this.config = config;
            this.costs = costs;
        }
    }

    /**
     * @param metrics the metrics to cost: every limited one, and the one a search minimises
     */
    Evaluator(Encoding encoding, CostModel costModel, AccuracyScorer scorer, List<Metric> metrics, Budget budget) {
        this.encoding = encoding;
        this.costModel = costModel;
        this.scorer = scorer;
        this.metrics = List.copyOf(metrics);
        limits = new double[metrics.size()];
        for (int i = 0; i < limits.length; i++) {
            limits[i] = budget.limits().getOrDefault(metrics.get(i), Double.POSITIVE_INFINITY);
        }
    }

    private Entry entry(Genome genome) {
        Entry entry = entries.get(genome);
        if (entry == null) {
            SubnetConfig config = encoding.config(genome);
            entry = new Entry(config, costModel.costs(metrics, config));
            entries.put(genome, entry);
        }
        return entry;
    }

    SubnetConfig config(Genome genome) {
        return entry(genome).config;
    }

    double cost(Genome genome, Metric metric) {
        return entry(genome).costs[metrics.indexOf(metric)];
    }

    boolean withinLimits(Genome genome) {
        double[] costs = entry(genome).costs;
        for (int i = 0; i < limits.length; i++) {
            if (!(costs[i] <= limits[i])) {
                return false;
            }
        }
        return true;
    }

    /** How far past its limits a genome is: the sum of relative excesses, 0 within all of them. */
    double violation(Genome genome) {
        double[] costs = entry(genome).costs;
        double violation = 0;
        for (int i = 0; i < limits.length; i++) {
            violation += Math.max(0, costs[i] / limits[i] - 1);
        }
        return violation;
    }

    /** Scores the genomes not scored yet, each once, in one call to the scorer. */
    void score(List<Genome> genomes) {
        // entries compare by identity, one per genome; insertion order keeps the calls repeatable
        Set<Entry> unscored = new LinkedHashSet<>();
        for (Genome genome : genomes) {
            Entry entry = entry(genome);
            if (Double.isNaN(entry.accuracy)) {
                unscored.add(entry);
            }
        }
        List<Entry> fresh = List.copyOf(unscored);
        if (fresh.isEmpty()) {
            return;
        }
        double[] accuracies = scorer.score(fresh.stream().map(e -> e.config).toList());
        if (accuracies.length != fresh.size()) {
            throw new IllegalStateException(
                    "the accuracy scorer returned " + accuracies.length + " scores for " + fresh.size() + " configs");
        }
        for (int i = 0; i < accuracies.length; i++) {
            if (Double.isNaN(accuracies[i])) {
                throw new IllegalStateException("the accuracy scorer returned NaN for " + fresh.get(i).config);
            }
            fresh.get(i).accuracy = accuracies[i];
            bestAccuracy = Math.max(bestAccuracy, accuracies[i]);
        }
        scored += fresh.size();
    }

    double accuracy(Genome genome) {
        double accuracy = entry(genome).accuracy;
        if (Double.isNaN(accuracy)) {
            throw new IllegalStateException("genome not scored yet");
        }
        return accuracy;
    }

    /** Distinct configs handed to the scorer so far. */
    int scored() {
        return scored;
    }

    /** The highest predicted accuracy scored so far. */
    double bestAccuracy() {
        return bestAccuracy;
    }
}
