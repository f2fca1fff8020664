package dev.tailor.search;

import dev.tailor.cost.SubnetCosts;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.util.List;
import java.util.Set;

/**
 * MACs, params and peak memory from {@link SubnetCosts}, all from one walk of the plan. Peak
 * memory is only worked out when asked for: it scans every tensor at every node, which makes
 * it about ten times the price of the other two, and a search costs tens of thousands of configs.
 */
record CountedCosts(SearchSpace space, int numClasses) implements CostModel {

    private static final Set<Metric> METRICS = Set.of(Metric.MACS, Metric.PARAMS, Metric.MEMORY_BYTES);

    @Override
    public Set<Metric> metrics() {
        return METRICS;
    }

    @Override
    public double cost(Metric metric, SubnetConfig config) {
        return costs(List.of(metric), config)[0];
    }

    @Override
    public double[] costs(List<Metric> metrics, SubnetConfig config) {
        SubnetPlan plan = SubnetPlan.of(space, config, numClasses);
        SubnetCosts costs = metrics.contains(Metric.MEMORY_BYTES) ? SubnetCosts.of(plan) : summed(plan);
        double[] values = new double[metrics.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (metrics.get(i)) {
                case MACS -> costs.macs();
                case PARAMS -> costs.params();
                case MEMORY_BYTES -> costs.peakActivationBytes();
                case LATENCY_MS -> throw new IllegalArgumentException("counted costs have no latency; add a device's");
            };
        }
        return values;
    }

    /** MACs and params as the per-layer sums (every node belongs to one layer); no peak memory. */
    private static SubnetCosts summed(SubnetPlan plan) {
        long macs = 0;
        long params = 0;
        for (SubnetCosts.LayerCost layer : SubnetCosts.layers(plan)) {
            macs += layer.macs();
            params += layer.params();
        }
        return new SubnetCosts(macs, params, -1);
    }
}
