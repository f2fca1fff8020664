package dev.tailor.latency;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * One model's kept timings of the references (oldest first), read as the host's speed against the
 * model: how far it moved and what its usual speed is. A timing at {@code episode} times their
 * median or more is a slow episode: left out of both and counted.
 */
final class KeptTimings {

    /** Timings outside episodes needed before a figure is given. */
    static final int ENOUGH = 5;

    private final double[] ratios;
    private final long spanMillis;
    private final double episode;
    private final double median;
    /** The ratios outside episodes, sorted. */
    private final double[] usual;

    KeptTimings(List<HostSpeedHistory.Timing> timings, double episode) {
        this.ratios =
                timings.stream().mapToDouble(HostSpeedHistory.Timing::ratio).toArray();
        this.spanMillis = timings.isEmpty()
                ? 0
                : timings.get(timings.size() - 1).atMillis() - timings.get(0).atMillis();
        this.episode = episode;
        this.median = ratios.length == 0 ? Double.NaN : median(ratios);
        this.usual =
                Arrays.stream(ratios).filter(r -> r < episode * median).sorted().toArray();
    }

    /** How far the host's speed moved: the 90th over the 10th percentile of the timings outside episodes. */
    HostSpeedCheck.Variation variation() {
        if (ratios.length == 0) {
            return new HostSpeedCheck.Variation(null, 0, 0, 0, null);
        }
        Double percent = usual.length < ENOUGH ? null : 100 * (nearestRank(usual, 0.9) / nearestRank(usual, 0.1) - 1);
        double slowest = Arrays.stream(ratios).max().orElseThrow();
        return new HostSpeedCheck.Variation(
                percent,
                usual.length,
                ratios.length - usual.length,
                spanMillis / 60_000,
                usual.length < ratios.length ? slowest / median : null);
    }

    /**
     * The host's usual speed: the median of the timings outside episodes, when at least
     * {@value #ENOUGH} are kept and it is under {@code episode} itself; empty otherwise.
     */
    OptionalDouble usual() {
        if (usual.length < ENOUGH) {
            return OptionalDouble.empty();
        }
        double ratio = median(usual);
        return ratio < episode ? OptionalDouble.of(ratio) : OptionalDouble.empty();
    }

    /** Nearest rank of sorted values. */
    static double nearestRank(double[] sorted, double fraction) {
        return sorted[Math.max(0, (int) Math.ceil(fraction * sorted.length) - 1)];
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
