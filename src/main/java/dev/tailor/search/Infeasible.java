package dev.tailor.search;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * No subnet was found within the budget, and the closest that was.
 *
 * @param constraints what cannot be met: metric fields ({@link Metric#field()}) and/or {@link
 *     Budget#MIN_ACCURACY}; several when limits are only reachable one at a time
 * @param closest per named constraint, the best value a reachable subnet has (a cost for a metric,
 *     the highest predicted accuracy for minAccuracy; for limits that conflict, the costs of the
 *     subnet closest to meeting all of them)
 * @param message the same in words
 */
public record Infeasible(List<String> constraints, Map<String, Double> closest, String message)
        implements SearchOutcome, FrontOutcome {

    public Infeasible {
        constraints = List.copyOf(constraints);
        closest = Collections.unmodifiableMap(new LinkedHashMap<>(closest));
    }
}
