package dev.tailor.search;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/** What a subnet costs on the metrics this model knows. The search caches every answer. */
public interface CostModel {

    /** The metrics {@link #cost} answers; a budget may only limit these. */
    Set<Metric> metrics();

    double cost(Metric metric, SubnetConfig config);

    /**
     * Several metrics of one config at once; the search always asks this way, so a model that
     * computes all its figures together (as {@link #counted} does) computes them once.
     */
    default double[] costs(List<Metric> metrics, SubnetConfig config) {
        double[] values = new double[metrics.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = cost(metrics.get(i), config);
        }
        return values;
    }

    /** MACs, params and peak activation bytes counted from the subnet's plan ({@code SubnetCosts}). */
    static CostModel counted(SearchSpace space, int numClasses) {
        return new CountedCosts(space, numClasses);
    }

    /** This model plus {@link Metric#LATENCY_MS} from a device's latency model. */
    default CostModel withLatency(ToDoubleFunction<SubnetConfig> millis) {
        return new WithLatency(this, millis);
    }
}
