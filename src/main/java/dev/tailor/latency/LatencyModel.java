package dev.tailor.latency;

import dev.tailor.space.SubnetPlan;
import java.util.List;
import java.util.Map;

/**
 * A device's latency model: the sum of its per-layer lookup table over a subnet's layers, then a
 * correction {@code slope * sum + perLayer * layers + intercept} fitted by least squares on
 * whole-subnet measurements. Each table entry was timed as a model of its own and so carries one
 * run's fixed overhead, which a whole subnet pays once; running layers together also saves or
 * costs cache traffic. The per-layer term takes the first, the slope the second.
 */
public final class LatencyModel {

    /** Whole-subnet measurements below which no correction is fitted (three coefficients). */
    public static final int MIN_MEASUREMENTS = 4;

    private final Map<String, Double> table;
    private final double slope;
    private final double perLayer;
    private final double intercept;

    private LatencyModel(Map<String, Double> table, double slope, double perLayer, double intercept) {
        this.table = Map.copyOf(table);
        this.slope = slope;
        this.perLayer = perLayer;
        this.intercept = intercept;
    }

    /** A subnet measured whole on the device. */
    public record Measured(SubnetPlan plan, double millis) {}

    /** A model fitted before (a stored one): its coefficients hold only against this very table. */
    public static LatencyModel of(Map<String, Double> table, double slope, double perLayer, double intercept) {
        return new LatencyModel(table, slope, perLayer, intercept);
    }

    /**
     * Fits the correction on {@code measured}; with fewer than {@link #MIN_MEASUREMENTS}
     * measurements, or ones that do not pin it down, the table's sum is used as it is.
     */
    public static LatencyModel fit(Map<String, Double> table, List<Measured> measured) {
        LatencyModel raw = new LatencyModel(table, 1, 0, 0);
        if (measured.size() < MIN_MEASUREMENTS) {
            return raw;
        }
        // normal equations of y = a * sum + b * layers + c
        double[][] normal = new double[3][4];
        for (Measured m : measured) {
            double[] x = {raw.tableSum(m.plan()), layers(m.plan()), 1};
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    normal[i][j] += x[i] * x[j];
                }
                normal[i][3] += x[i] * m.millis();
            }
        }
        double[] solution = solve(normal);
        return solution == null ? raw : new LatencyModel(table, solution[0], solution[1], solution[2]);
    }

    /** Gaussian elimination with partial pivoting; null when the system is singular. */
    private static double[] solve(double[][] a) {
        int n = a.length;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int row = col + 1; row < n; row++) {
                if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) {
                    pivot = row;
                }
            }
            if (Math.abs(a[pivot][col]) < 1e-12) {
                return null;
            }
            double[] swap = a[col];
            a[col] = a[pivot];
            a[pivot] = swap;
            for (int row = 0; row < n; row++) {
                if (row != col) {
                    double factor = a[row][col] / a[col][col];
                    for (int k = col; k <= n; k++) {
                        a[row][k] -= factor * a[col][k];
                    }
                }
            }
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = a[i][n] / a[i][i];
        }
        return x;
    }

    private static int layers(SubnetPlan plan) {
        return SubnetLayers.of(plan).size();
    }

    /** The table's sum over the subnet's layers; a layer the table lacks is an error naming it. */
    public double tableSum(SubnetPlan plan) {
        double sum = 0;
        for (SubnetLayers.Layer layer : SubnetLayers.of(plan)) {
            Double millis = table.get(layer.key());
            if (millis == null) {
                throw new IllegalArgumentException("the latency table has no entry for " + layer.key());
            }
            sum += millis;
        }
        return sum;
    }

    public double predict(SubnetPlan plan) {
        return correct(tableSum(plan), layers(plan));
    }

    /** The prediction for a subnet whose layers the table sums to {@code tableSum}. */
    public double correct(double tableSum, int layers) {
        return slope * tableSum + perLayer * layers + intercept;
    }

    /** How well the model predicts subnets it was not fitted on. */
    public PredictionAccuracy accuracyOn(List<Measured> measured) {
        double[] predicted = new double[measured.size()];
        double[] actual = new double[measured.size()];
        for (int i = 0; i < measured.size(); i++) {
            predicted[i] = predict(measured.get(i).plan());
            actual[i] = measured.get(i).millis();
        }
        return PredictionAccuracy.of(predicted, actual);
    }

    /** Milliseconds by layer key. */
    public Map<String, Double> table() {
        return table;
    }

    public double slope() {
        return slope;
    }

    public double perLayer() {
        return perLayer;
    }

    public double intercept() {
        return intercept;
    }

    /**
     * A digest of the table and the coefficients: two models with one fingerprint predict alike. A
     * layer or subnet timed again changes the model but not how many subnets it was fitted on.
     */
    String fingerprint() {
        java.security.MessageDigest digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        java.nio.ByteBuffer entry = java.nio.ByteBuffer.allocate(Double.BYTES);
        new java.util.TreeMap<>(table).forEach((key, millis) -> {
            digest.update(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            digest.update(entry.clear().putDouble(millis).array());
        });
        for (double coefficient : new double[] {slope, perLayer, intercept}) {
            digest.update(entry.clear().putDouble(coefficient).array());
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }
}
