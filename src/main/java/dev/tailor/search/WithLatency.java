package dev.tailor.search;

import dev.tailor.space.SubnetConfig;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/** A cost model extended with a device's latency; the other metrics still come in one batch. */
record WithLatency(CostModel counts, ToDoubleFunction<SubnetConfig> millis) implements CostModel {

    @Override
    public Set<Metric> metrics() {
        Set<Metric> metrics = EnumSet.of(Metric.LATENCY_MS);
        metrics.addAll(counts.metrics());
        return Collections.unmodifiableSet(metrics);
    }

    @Override
    public double cost(Metric metric, SubnetConfig config) {
        return metric == Metric.LATENCY_MS ? millis.applyAsDouble(config) : counts.cost(metric, config);
    }

    @Override
    public double[] costs(List<Metric> metrics, SubnetConfig config) {
        List<Metric> counted =
                metrics.stream().filter(m -> m != Metric.LATENCY_MS).toList();
        double[] fromCounts = counted.isEmpty() ? new double[0] : counts.costs(counted, config);
        double[] values = new double[metrics.size()];
        for (int i = 0, c = 0; i < values.length; i++) {
            values[i] = metrics.get(i) == Metric.LATENCY_MS ? millis.applyAsDouble(config) : fromCounts[c++];
        }
        return values;
    }
}
