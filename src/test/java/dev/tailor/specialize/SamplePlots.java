package dev.tailor.specialize;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/** Plots shaped like the real ones: a catalogue cloud, its Pareto front and two served subnets. */
final class SamplePlots {

    static final String TITLE = "Fashion-MNIST subnets: accuracy against latency";
    static final String X_LABEL = "latency on host-cpu, ms (predicted)";
    static final String Y_LABEL = "validation top-1, %";

    private SamplePlots() {}

    static List<Point> catalogue(int size, long seed) {
        Random random = new Random(seed);
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            double latency = 1.5 + 28 * random.nextDouble() * random.nextDouble();
            double ceiling = 80 + 13 * (1 - Math.exp(-latency / 6));
            points.add(Point.of(latency, ceiling - 4 * Math.abs(random.nextGaussian())));
        }
        return points;
    }

    /** The points no other point beats on both latency and accuracy, in x order. */
    static List<Point> front(List<Point> catalogue) {
        List<Point> sorted = new ArrayList<>(catalogue);
        sorted.sort(Comparator.comparingDouble(Point::x)
                .thenComparing(Comparator.comparingDouble(Point::y).reversed()));
        List<Point> front = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (Point p : sorted) {
            if (p.y() > best) {
                front.add(p);
                best = p.y();
            }
        }
        return front;
    }

    static ParetoPlot realistic(int catalogueSize) {
        List<Point> catalogue = catalogue(catalogueSize, 42);
        List<Point> front = front(catalogue);
        Point fast = front.get(front.size() / 4);
        Point accurate = front.get(front.size() * 3 / 4);
        List<Point> served = List.of(
                new Point(fast.x(), fast.y(), String.format(java.util.Locale.ROOT, "edge: %.1f ms", fast.x())),
                new Point(
                        accurate.x(),
                        accurate.y(),
                        String.format(java.util.Locale.ROOT, "api: %.1f ms", accurate.x())));
        return new ParetoPlot(
                TITLE,
                X_LABEL,
                Y_LABEL,
                List.of(
                        Series.catalogue("catalogue (" + catalogueSize + " subnets)", catalogue),
                        Series.front("Pareto front", front),
                        Series.served("served", served)));
    }
}
