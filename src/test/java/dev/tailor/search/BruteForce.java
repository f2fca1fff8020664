package dev.tailor.search;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Every subnet of a small space with its synthetic accuracy and costs: the answers to check against. */
record BruteForce(List<Point> points) {

    record Point(SubnetConfig config, double accuracy, Map<Metric, Double> costs) {
        double cost(Metric metric) {
            return costs.get(metric);
        }

        boolean within(Budget budget) {
            return budget.limits().entrySet().stream().allMatch(l -> cost(l.getKey()) <= l.getValue());
        }
    }

    static BruteForce of(SearchSpace space, CostModel costs) {
        List<Metric> metrics = List.copyOf(costs.metrics());
        List<Point> points = new ArrayList<>();
        for (SubnetConfig config : Fixtures.enumerate(space)) {
            double[] values = costs.costs(metrics, config);
            Map<Metric, Double> byMetric = new EnumMap<>(Metric.class);
            for (int i = 0; i < values.length; i++) {
                byMetric.put(metrics.get(i), values[i]);
            }
            points.add(new Point(config, Fixtures.accuracy(config), byMetric));
        }
        return new BruteForce(points);
    }

    List<Point> within(Budget budget) {
        return points.stream().filter(p -> p.within(budget)).toList();
    }

    /** The highest accuracy within the budget's limits. */
    double bestAccuracy(Budget budget) {
        return within(budget).stream().mapToDouble(Point::accuracy).max().orElseThrow();
    }

    /** The lowest cost on {@code metric} reaching {@code floor} within the budget's limits. */
    double cheapestReaching(Metric metric, double floor, Budget budget) {
        return within(budget).stream()
                .filter(p -> p.accuracy() >= floor)
                .mapToDouble(p -> p.cost(metric))
                .min()
                .orElseThrow();
    }

    /** The non-dominated (accuracy up, cost down) points within the limits. */
    List<Point> front(Metric metric, Budget budget) {
        List<Point> candidates = within(budget);
        return candidates.stream()
                .filter(p -> candidates.stream().noneMatch(q -> dominates(q, p, metric)))
                .toList();
    }

    static boolean dominates(Point q, Point p, Metric metric) {
        return q.accuracy() >= p.accuracy()
                && q.cost(metric) <= p.cost(metric)
                && (q.accuracy() > p.accuracy() || q.cost(metric) < p.cost(metric));
    }

    /** The value of {@code metric} below which a share {@code q} of all subnets lies. */
    double quantile(Metric metric, double q) {
        double[] sorted =
                points.stream().mapToDouble(p -> p.cost(metric)).sorted().toArray();
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }
}
