package dev.tailor.search;

/** What a search optimises inside a budget. */
public enum Objective {
    /** The most accurate subnet within every limit (and at least minAccuracy when one is given). */
    ACCURACY,
    /**
     * The cheapest subnet reaching the budget's minAccuracy (required) within the other limits;
     * cheapest in latency, or in MACs where the cost model has no latency (see {@link
     * SubnetSearch#latencyMetric()}).
     */
    LATENCY
}
