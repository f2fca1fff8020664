package dev.tailor.latency;

/**
 * How well predictions match measurements: mean absolute percentage error, root mean square
 * error (ms), Kendall's rank correlation (tau-b) and the share of predictions within +-10 % of
 * the measured value.
 */
public record PredictionAccuracy(int count, double mape, double rmseMs, double kendallTau, double within10) {

    public static PredictionAccuracy of(double[] predicted, double[] measured) {
        int n = predicted.length;
        if (n == 0 || measured.length != n) {
            throw new IllegalArgumentException("need as many predictions as measurements, at least one");
        }
        double absolutePercent = 0;
        double squared = 0;
        int within = 0;
        for (int i = 0; i < n; i++) {
            double error = predicted[i] - measured[i];
            absolutePercent += Math.abs(error) / measured[i];
            squared += error * error;
            if (Math.abs(error) <= 0.1 * measured[i]) {
                within++;
            }
        }
        return new PredictionAccuracy(
                n, absolutePercent / n, Math.sqrt(squared / n), kendallTau(predicted, measured), (double) within / n);
    }

    /** Kendall's tau-b: concordant minus discordant pairs, corrected for ties. */
    public static double kendallTau(double[] x, double[] y) {
        long concordant = 0;
        long discordant = 0;
        long tiesX = 0;
        long tiesY = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                double dx = Math.signum(x[i] - x[j]);
                double dy = Math.signum(y[i] - y[j]);
                if (dx == 0 && dy == 0) {
                    continue;
                }
                if (dx == 0) {
                    tiesX++;
                } else if (dy == 0) {
                    tiesY++;
                } else if (dx == dy) {
                    concordant++;
                } else {
                    discordant++;
                }
            }
        }
        double denominator = Math.sqrt((double) (concordant + discordant + tiesX) * (concordant + discordant + tiesY));
        return denominator == 0 ? 0 : (concordant - discordant) / denominator;
    }
}
