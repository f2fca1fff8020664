package dev.tailor.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.latency.Roofline;
import dev.tailor.space.SubnetPlan;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * On the shipped Fashion-MNIST space with MACs counted from the plan, a looser budget never gets
 * a less accurate answer. The evolution does not guarantee this (each budget is its own seeded
 * run); it holds because it ends within about 0.001 of the optimum here while the optimum moves
 * more than that between these budgets.
 */
class MonotonicityTest {

    @Test
    void accuracyNeverDropsAsTheMacsBudgetLoosens() {
        CostModel counted = CostModel.counted(Fixtures.FASHION, 10);
        double smallest = counted.cost(Metric.MACS, Fixtures.FASHION.smallest());
        double largest = counted.cost(Metric.MACS, Fixtures.FASHION.largest());
        SubnetSearch search = new SubnetSearch(Fixtures.FASHION, Fixtures.SCORER, counted);
        List<Double> accuracies = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            // geometric steps from 5 % above the smallest subnet to the largest
            double limit = smallest * 1.05 * Math.pow(largest / (smallest * 1.05), i / 7.0);
            Found found = (Found) search.search(Budget.unlimited().limit(Metric.MACS, limit), Objective.ACCURACY, 1);
            assertThat(found.costs().get(Metric.MACS)).isLessThanOrEqualTo(limit);
            accuracies.add(found.accuracy());
        }
        assertThat(accuracies).isSorted();
        assertThat(accuracies.get(7) - accuracies.get(0)).isGreaterThan(0.1);
    }

    /**
     * The same on latency, whose landscape differs from MACs (memory-bound layers, the resolution):
     * a Jetson Nano's roofline estimate (235.9 GFLOP/s, 25.6 GB/s), as the service estimates it.
     */
    @Test
    void accuracyNeverDropsAsTheLatencyBudgetLoosens() {
        CostModel estimated = CostModel.counted(Fixtures.FASHION, 10)
                .withLatency(config -> Roofline.millis(SubnetPlan.of(Fixtures.FASHION, config, 10), 235.9, 25.6));
        double smallest = estimated.cost(Metric.LATENCY_MS, Fixtures.FASHION.smallest());
        double largest = estimated.cost(Metric.LATENCY_MS, Fixtures.FASHION.largest());
        SubnetSearch search = new SubnetSearch(Fixtures.FASHION, Fixtures.SCORER, estimated);
        List<Double> accuracies = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            double limit = smallest * 1.05 * Math.pow(largest / (smallest * 1.05), i / 7.0);
            Found found =
                    (Found) search.search(Budget.unlimited().limit(Metric.LATENCY_MS, limit), Objective.ACCURACY, 1);
            assertThat(found.costs().get(Metric.LATENCY_MS)).isLessThanOrEqualTo(limit);
            accuracies.add(found.accuracy());
        }
        assertThat(accuracies).isSorted();
        // the budgets span a real range of answers (0.088 of predicted accuracy with this scorer)
        assertThat(accuracies.get(7) - accuracies.get(0)).isGreaterThan(0.05);
    }
}
