package dev.tailor.latency;

import dev.tailor.cost.SubnetCosts;
import dev.tailor.space.SubnetPlan;

/**
 * A latency estimate from a device's published peak compute and memory bandwidth alone: each
 * layer takes the longer of its arithmetic at peak and its memory traffic at full bandwidth
 * (the roofline model). Real runs are slower (no layer reaches peak), so it is a lower bound
 * and always labelled {@code estimated}.
 */
public final class Roofline {

    private Roofline() {}

    public static double millis(SubnetPlan plan, double peakGflops, double memoryGbps) {
        double millis = 0;
        for (double layer : layerMillis(plan, peakGflops, memoryGbps)) {
            millis += layer;
        }
        return millis;
    }

    /** Each layer's estimate, in the order a latency table keys them (stem, blocks, head). */
    static double[] layerMillis(SubnetPlan plan, double peakGflops, double memoryGbps) {
        if (!(peakGflops > 0) || !(memoryGbps > 0)) {
            throw new IllegalArgumentException("a roofline needs peak compute and bandwidth above 0");
        }
        return SubnetCosts.layers(plan).stream()
                .mapToDouble(layer -> 1e3
                        * Math.max(2.0 * layer.macs() / (peakGflops * 1e9), layer.bytesMoved() / (memoryGbps * 1e9)))
                .toArray();
    }
}
