package dev.tailor.latency;

import dev.tailor.catalogue.LatencySource;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The latency of any subnet of one search space on one device, batch 1, as the device's data
 * allows: {@code predicted} by a fitted latency model (layer table + correction) whose error on
 * held-out subnets is known, or {@code estimated} by a roofline from the device's published peak
 * compute and bandwidth, a lower bound with no error figure. Cheap per config: layer figures are
 * looked up, not keyed.
 */
public final class DeviceLatencyModel {

    /**
     * A prediction under this share of the least the table sums any subnet of the space to is not
     * a latency (the layers alone, each timed by itself, took ten times longer): such a correction
     * was fitted on bad data and is not served.
     */
    static final double FLOOR_SHARE = 0.1;

    private final SpaceLookup lookup;
    private final LatencyModel correction;
    private final LatencySource source;
    private final PredictionAccuracy expectedError;
    private final HeldOutPairs heldOutPairs;
    private final String how;
    private final String basis;

    private DeviceLatencyModel(
            SpaceLookup lookup,
            LatencyModel correction,
            LatencySource source,
            PredictionAccuracy expectedError,
            HeldOutPairs heldOutPairs,
            String how,
            String basis) {
        this.lookup = lookup;
        this.correction = correction;
        this.source = source;
        this.expectedError = expectedError;
        this.heldOutPairs = heldOutPairs;
        this.how = how;
        this.basis = basis;
    }

    /**
     * A fitted model with its held-out error; empty when its table lacks a layer of the space or
     * when it predicts some subnet of the space at or below zero or under {@link #FLOOR_SHARE} of
     * the least table sum (checked exactly over the whole space, so no config served is ever
     * non-physical).
     *
     * @param how a short label stored with each prediction (at most 64 characters)
     */
    static Optional<DeviceLatencyModel> predicted(
            SearchSpace space,
            int classes,
            LatencyModel model,
            PredictionAccuracy heldOut,
            HeldOutPairs pairs,
            String how,
            String basis) {
        return physicalLookup(space, classes, model)
                .map(lookup ->
                        new DeviceLatencyModel(lookup, model, LatencySource.PREDICTED, heldOut, pairs, how, basis));
    }

    /** Whether {@link #predicted} would serve the model for the space. */
    static boolean servable(SearchSpace space, int classes, LatencyModel model) {
        return physicalLookup(space, classes, model).isPresent();
    }

    private static Optional<SpaceLookup> physicalLookup(SearchSpace space, int classes, LatencyModel model) {
        Map<String, Double> table = model.table();
        return SpaceLookup.of(
                        space,
                        classes,
                        plan -> SubnetLayers.of(plan).stream()
                                .mapToDouble(layer -> table.getOrDefault(layer.key(), Double.NaN))
                                .toArray())
                .filter(lookup -> physical(lookup, model));
    }

    private static boolean physical(SpaceLookup lookup, LatencyModel model) {
        double leastPrediction = model.intercept() + lookup.least(model.slope(), model.perLayer());
        return leastPrediction > 0 && leastPrediction >= FLOOR_SHARE * lookup.least(1, 0);
    }

    /** The roofline estimate from a device's published peak compute and memory bandwidth. */
    static DeviceLatencyModel roofline(SearchSpace space, int classes, double peakGflops, double memoryGbps) {
        SpaceLookup lookup = SpaceLookup.of(space, classes, plan -> Roofline.layerMillis(plan, peakGflops, memoryGbps))
                .orElseThrow();
        return new DeviceLatencyModel(
                lookup,
                null,
                LatencySource.ESTIMATED,
                null,
                HeldOutPairs.NONE,
                "roofline",
                String.format(
                        Locale.ROOT,
                        "roofline from the published %.1f GFLOP/s peak and %.1f GB/s bandwidth: a lower bound,"
                                + " real runs are slower",
                        peakGflops,
                        memoryGbps));
    }

    /** Milliseconds for one run of the config at batch 1; the config must belong to the space. */
    public double millis(SubnetConfig config) {
        double sum = lookup.sum(config);
        return correction == null ? sum : correction.correct(sum, lookup.layers(config));
    }

    /** {@code predicted} for a fitted model, {@code estimated} for the roofline. */
    public LatencySource source() {
        return source;
    }

    /** The fitted model's error on subnets it was not fitted on; empty for the roofline. */
    public Optional<PredictionAccuracy> expectedError() {
        return Optional.ofNullable(expectedError);
    }

    /**
     * The fitted model's error on the {@link HeldOutPairs#NEAREST} held-out subnets it predicts
     * nearest the config; empty for the roofline and for a model stored without its pairs.
     */
    public Optional<HeldOutPairs.Near> errorNear(SubnetConfig config) {
        return heldOutPairs.near(millis(config), HeldOutPairs.NEAREST);
    }

    /** What this model is, for telling a change of it: how it was made, and the coefficients it predicts with. */
    String fingerprint() {
        return source + ":" + how + ":" + basis + (correction == null ? "" : ":" + correction.fingerprint());
    }

    /** True for the roofline: every figure is a lower bound, a real run takes longer. */
    public boolean lowerBound() {
        return correction == null;
    }

    /** Where the figures come from, in words, for responses and logs. */
    public String basis() {
        return basis;
    }

    /** The label stored with each prediction in the catalogue. */
    String how() {
        return how;
    }
}
