package dev.tailor.search;

import dev.tailor.space.SubnetConfig;
import java.util.Map;

/**
 * The subnet a search picked.
 *
 * @param accuracy its predicted accuracy (a fraction)
 * @param costs its cost on every metric the cost model knows
 * @param bindingConstraint the constraint with the least relative slack: a limited metric's field
 *     ({@code (limit - cost) / limit}) or {@link Budget#MIN_ACCURACY} ({@code (accuracy - min) /
 *     min}); null when the budget has no constraint
 * @param generations generations run
 * @param candidatesScored distinct configs handed to the accuracy scorer
 * @param elapsedMillis wall time of the whole search, feasibility check included
 */
public record Found(
        SubnetConfig config,
        double accuracy,
        Map<Metric, Double> costs,
        String bindingConstraint,
        int generations,
        int candidatesScored,
        long elapsedMillis)
        implements SearchOutcome {

    public Found {
        costs = Metric.ordered(costs);
    }
}
