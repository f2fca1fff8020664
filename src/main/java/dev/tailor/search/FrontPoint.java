package dev.tailor.search;

import dev.tailor.space.SubnetConfig;
import java.util.Map;

/** One subnet on a Pareto front: its predicted accuracy and its cost on every known metric. */
public record FrontPoint(SubnetConfig config, double accuracy, Map<Metric, Double> costs) {

    public FrontPoint {
        costs = Metric.ordered(costs);
    }
}
