package dev.tailor.latency;

import dev.tailor.catalogue.LatencyMeasurement;
import dev.tailor.catalogue.LatencySource;

/**
 * One model's timed runs in ONNX Runtime, in milliseconds, with everything that shaped them.
 *
 * @param resolution the resolution the model runs at: an exported subnet's own, which may differ
 *     from its input's (the dataset's size, resized inside the graph); otherwise the input's side
 */
public record LatencyStats(
        double p50Ms,
        double p90Ms,
        double meanMs,
        double stdMs,
        int runs,
        int threads,
        int batchSize,
        int resolution,
        String runtimeVersion) {

    /** As the catalogue stores a measurement. */
    public LatencyMeasurement.Timing timing() {
        return new LatencyMeasurement.Timing(
                p50Ms, p90Ms, meanMs, stdMs, runs, threads, runtimeVersion, LatencySource.MEASURED);
    }
}
