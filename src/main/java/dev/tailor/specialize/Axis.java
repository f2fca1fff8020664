package dev.tailor.specialize;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One axis: the data range widened a little so that no marker sits on the frame, and ticks at
 * "nice" values (1, 2 or 5 times a power of ten) inside it.
 */
record Axis(double min, double max, List<Tick> ticks) {

    record Tick(double value, String label) {}

    /** Share of the data span left empty at each end. */
    private static final double MARGIN = 0.04;
    /**
     * More ticks than this, or tick indices beyond 1e15, mean a range beyond double precision; no
     * ticks are drawn then rather than a loop that would not end.
     */
    private static final int MAX_TICKS = 40;

    private static final String[] SI_PREFIXES = {"", "k", "M", "G", "T"};

    Axis {
        ticks = List.copyOf(ticks);
    }

    /**
     * An axis covering {@code [lo, hi]}, the finite extremes of the data, with about {@code
     * targetTicks} ticks. NaN extremes mean there is no data: the axis then spans 0 to 1.
     */
    static Axis covering(double lo, double hi, int targetTicks) {
        double min;
        double max;
        if (!(lo <= hi)) {
            min = 0;
            max = 1;
        } else if (lo == hi) {
            // one value (one point, or all at one x): centre it in a range of +-10 % of itself
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            min = lo - pad;
            max = hi + pad;
        } else {
            double span = hi - lo;
            min = lo - span * MARGIN;
            max = hi + span * MARGIN;
        }
        if (!(Double.isFinite(min) && Double.isFinite(max) && max > min)) {
            // only for values near the ends of the double range; the points are clamped to the frame
            min = 0;
            max = 1;
        }
        return new Axis(min, max, ticks(min, max, targetTicks));
    }

    /** Where a value lies along the axis, 0 at min and 1 at max. */
    double fraction(double value) {
        double f = (value - min) / (max - min);
        if (Double.isNaN(f)) {
            return 0.5;
        }
        return Math.max(0, Math.min(1, f));
    }

    private static List<Tick> ticks(double min, double max, int targetTicks) {
        double raw = (max - min) / targetTicks;
        int exponent = (int) Math.floor(Math.log10(raw));
        double normalized = raw / Math.pow(10, exponent);
        int mantissa;
        if (normalized < 1.5) {
            mantissa = 1;
        } else if (normalized < 3) {
            mantissa = 2;
        } else if (normalized < 7) {
            mantissa = 5;
        } else {
            mantissa = 1;
            exponent++;
        }
        double step = scaled(mantissa, exponent);
        double first = Math.ceil(min / step - 1e-9);
        double last = Math.floor(max / step + 1e-9);
        if (!(last - first < MAX_TICKS) || Math.abs(first) > 1e15 || Math.abs(last) > 1e15) {
            return List.of();
        }
        Labels labels = Labels.forStep(exponent, Math.max(Math.abs(min), Math.abs(max)));
        List<Tick> ticks = new ArrayList<>();
        for (long k = (long) first; k <= (long) last; k++) {
            // k * mantissa is exact, so each tick value is the double nearest the decimal value
            double value = scaled(k * mantissa, exponent);
            ticks.add(new Tick(value, labels.format(k * mantissa, exponent)));
        }
        return ticks;
    }

    /** {@code units * 10^exponent}, dividing for negative exponents so that 0.3 comes out as 0.3. */
    private static double scaled(long units, int exponent) {
        return exponent >= 0 ? units * Math.pow(10, exponent) : units / Math.pow(10, -exponent);
    }

    /**
     * How tick values are written: as plain decimals with as many places as the step needs, or, for
     * large values at a step of a thousand or more (MACs), with an SI prefix ("2.5M" rather than
     * "2500000").
     */
    private record Labels(int prefixExponent, String suffix, String pattern) {

        static Labels forStep(int stepExponent, double largest) {
            int prefix = 0;
            if (stepExponent >= 3 && largest >= 1e4) {
                prefix = Math.min(3 * (SI_PREFIXES.length - 1), 3 * (int) Math.floor(Math.log10(largest) / 3));
            }
            int decimals = Math.max(0, prefix - stepExponent);
            return new Labels(prefix, SI_PREFIXES[prefix / 3], "%." + decimals + "f");
        }

        String format(long units, int stepExponent) {
            String text = String.format(Locale.ROOT, pattern, scaled(units, stepExponent - prefixExponent));
            if (text.startsWith("-") && text.chars().noneMatch(c -> c >= '1' && c <= '9')) {
                text = text.substring(1); // "-0.0" from rounding reads as a different number
            }
            return units == 0 ? text : text + suffix;
        }
    }
}
