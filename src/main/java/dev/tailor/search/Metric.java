package dev.tailor.search;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** A cost a budget can limit and a search can minimise, named by its request field. */
public enum Metric {
    LATENCY_MS("latencyMs"),
    MACS("macs"),
    PARAMS("params"),
    MEMORY_BYTES("memoryBytes");

    private final String field;

    Metric(String field) {
        this.field = field;
    }

    /** The request field that limits this metric; infeasible answers name constraints this way. */
    public String field() {
        return field;
    }

    /** An unmodifiable copy in declaration order, so that what is shown and walked is repeatable. */
    static Map<Metric, Double> ordered(Map<Metric, Double> values) {
        EnumMap<Metric, Double> copy = new EnumMap<>(Metric.class);
        copy.putAll(values);
        return Collections.unmodifiableMap(copy);
    }
}
