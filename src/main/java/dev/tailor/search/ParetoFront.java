package dev.tailor.search;

import java.util.List;

/**
 * NSGA-II's final first front: accuracy against one cost metric, cheapest first.
 *
 * @param candidatesScored distinct configs handed to the accuracy scorer
 */
public record ParetoFront(
        Metric metric, List<FrontPoint> points, int generations, int candidatesScored, long elapsedMillis)
        implements FrontOutcome {

    public ParetoFront {
        points = List.copyOf(points);
    }
}
