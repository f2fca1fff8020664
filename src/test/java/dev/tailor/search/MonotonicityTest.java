package dev.tailor.search;

import static org.assertj.core.api.Assertions.assertThat;

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
}
