package dev.tailor.search;

import java.util.EnumMap;
import java.util.Map;

/**
 * Upper limits on costs and an optional lower limit on predicted accuracy (a fraction). The
 * limits keep {@link Metric} order, so that every walk over them, and so every search, is
 * repeatable.
 */
public record Budget(Map<Metric, Double> limits, Double minAccuracy) {

    /** How infeasible answers and binding constraints name the accuracy floor. */
    public static final String MIN_ACCURACY = "minAccuracy";

    public Budget {
        limits.forEach((metric, limit) -> {
            if (limit == null || !(limit > 0) || Double.isInfinite(limit)) {
                throw new IllegalArgumentException(metric.field() + " limit must be a positive number; got " + limit);
            }
        });
        limits = Metric.ordered(limits);
        if (minAccuracy != null && !(minAccuracy > 0 && minAccuracy <= 1)) {
            throw new IllegalArgumentException(MIN_ACCURACY + " is a fraction in (0, 1]; got " + minAccuracy);
        }
    }

    public static Budget unlimited() {
        return new Budget(Map.of(), null);
    }

    public Budget limit(Metric metric, double limit) {
        EnumMap<Metric, Double> more = new EnumMap<>(Metric.class);
        more.putAll(limits);
        more.put(metric, limit);
        return new Budget(more, minAccuracy);
    }

    public Budget withMinAccuracy(double accuracy) {
        return new Budget(limits, accuracy);
    }
}
