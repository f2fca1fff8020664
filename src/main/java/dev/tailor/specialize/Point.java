package dev.tailor.specialize;

/**
 * One subnet on a Pareto plot: x is its cost (latency in ms, or MACs), y its accuracy in percent.
 * The label is drawn next to {@link Series.Kind#SERVED} markers only; on the other kinds it would
 * bury the picture under text. A point with a NaN or infinite coordinate is left out of the plot.
 */
public record Point(double x, double y, String label) {

    public static Point of(double x, double y) {
        return new Point(x, y, null);
    }

    boolean isFinite() {
        return Double.isFinite(x) && Double.isFinite(y);
    }

    boolean hasLabel() {
        return label != null && !label.isBlank();
    }
}
