package dev.tailor.latency;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A latency model's held-out subnets as it predicted them and as they measured: the model's error
 * near any one latency, not only over the whole range (a correction fitted from the smallest
 * subnet to the largest errs more at the small end, where a fixed overhead is a larger share).
 */
public record HeldOutPairs(List<Pair> pairs) {

    /** How many held-out subnets an error near a latency is taken over. */
    public static final int NEAREST = 10;

    public static final HeldOutPairs NONE = new HeldOutPairs(List.of());

    public record Pair(double predictedMs, double measuredMs) {

        public Pair {
            if (!(predictedMs > 0) || !(measuredMs > 0) || Double.isInfinite(predictedMs + measuredMs)) {
                throw new IllegalArgumentException(
                        "a held-out pair has positive finite milliseconds; got " + predictedMs + ", " + measuredMs);
            }
        }

        double ratio() {
            return measuredMs / predictedMs;
        }
    }

    /**
     * The error over the held-out subnets predicted nearest a latency.
     *
     * @param count how many
     * @param fromMs the least of their predictions
     * @param toMs the largest
     * @param mape their mean absolute error, a fraction of the measured latency
     * @param bias their mean of measured over predicted, less 1: above 0, they ran slower than predicted
     * @param worst their largest absolute error, a fraction of the measured latency
     */
    public record Near(int count, double fromMs, double toMs, double mape, double bias, double worst) {}

    public HeldOutPairs {
        pairs = List.copyOf(pairs);
    }

    /**
     * The model's predictions of the held-out subnets against their measurements. A subnet it
     * predicts at or below zero is left out: such a model is never served (see
     * {@link DeviceLatencyModel#predicted}), so its pairs are never read.
     */
    static HeldOutPairs of(LatencyModel model, List<LatencyModel.Measured> heldOut) {
        return new HeldOutPairs(heldOut.stream()
                .filter(measured -> model.predict(measured.plan()) > 0 && measured.millis() > 0)
                .map(measured -> new Pair(model.predict(measured.plan()), measured.millis()))
                .toList());
    }

    /**
     * The error over the {@code k} held-out subnets whose predictions are nearest {@code predictedMs}
     * by ratio (0.1 ms is as near 0.2 ms as 0.2 ms is to 0.4 ms); empty without pairs.
     */
    public Optional<Near> near(double predictedMs, int k) {
        if (!(predictedMs > 0) || k < 1) {
            throw new IllegalArgumentException("a latency above 0 and k >= 1; got " + predictedMs + ", " + k);
        }
        if (pairs.isEmpty()) {
            return Optional.empty();
        }
        List<Pair> nearest = pairs.stream()
                .sorted(Comparator.comparingDouble(pair -> Math.abs(Math.log(pair.predictedMs() / predictedMs))))
                .limit(k)
                .toList();
        double from = Double.POSITIVE_INFINITY;
        double to = 0;
        double absolute = 0;
        double ratios = 0;
        double worst = 0;
        for (Pair pair : nearest) {
            from = Math.min(from, pair.predictedMs());
            to = Math.max(to, pair.predictedMs());
            double error = Math.abs(pair.predictedMs() - pair.measuredMs()) / pair.measuredMs();
            absolute += error;
            worst = Math.max(worst, error);
            ratios += pair.ratio();
        }
        int n = nearest.size();
        return Optional.of(new Near(n, from, to, absolute / n, ratios / n - 1, worst));
    }
}
