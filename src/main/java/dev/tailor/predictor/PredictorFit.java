package dev.tailor.predictor;

import dev.tailor.latency.PredictionAccuracy;
import java.util.SplittableRandom;

/**
 * Fits an {@link AccuracyPredictor} on a seeded 80 % of measured subnets and reports on the other
 * 20 %. The predictor returned is the one fitted on the 80 %, so the report describes exactly the
 * model that is served; refitting on everything would leave no honest held-out figure for it.
 */
public final class PredictorFit {

    static final double TRAIN_SHARE = 0.8;
    public static final int MIN_ROWS = 5;

    private PredictorFit() {}

    public record Fitted(AccuracyPredictor predictor, PredictorReport report) {}

    /** As {@link #fit(float[][], double[], int[], long[], FitOptions)} with default options and this seed. */
    public static Fitted fit(float[][] encodings, double[] accuracies, int[] images, long[] macs, long seed) {
        return fit(encodings, accuracies, images, macs, FitOptions.defaults().withSeed(seed));
    }

    /**
     * @param encodings one-hot encodings of the measured subnets ({@code SearchSpace.encode})
     * @param accuracies their validation accuracies, fractions in [0, 1]
     * @param images how many images each accuracy was measured on
     * @param macs each subnet's multiply-accumulates
     * @param options training options; its seed also draws the split
     */
    public static Fitted fit(float[][] encodings, double[] accuracies, int[] images, long[] macs, FitOptions options) {
        int n = encodings.length;
        if (accuracies.length != n || images.length != n || macs.length != n) {
            throw new IllegalArgumentException("need one accuracy, image count and MACs per encoding; got "
                    + n + " encodings, " + accuracies.length + " accuracies, " + images.length
                    + " image counts and " + macs.length + " MACs");
        }
        if (n < MIN_ROWS) {
            throw new IllegalArgumentException(
                    "need at least " + MIN_ROWS + " measured subnets to fit and hold out; got " + n);
        }
        for (int i = 0; i < n; i++) {
            if (images[i] < 1) {
                throw new IllegalArgumentException("row " + i + " was measured on " + images[i] + " images");
            }
            if (!(accuracies[i] >= 0 && accuracies[i] <= 1)) {
                throw new IllegalArgumentException(
                        "accuracies are fractions in [0, 1]; accuracy " + i + " is " + accuracies[i]);
            }
        }
        int[] order = shuffledRows(n, options.seed());
        int trainCount = (int) Math.round(TRAIN_SHARE * n);
        int heldOutCount = n - trainCount;
        float[][] trainEncodings = new float[trainCount][];
        double[] trainAccuracies = new double[trainCount];
        long[] trainMacs = new long[trainCount];
        for (int i = 0; i < trainCount; i++) {
            trainEncodings[i] = encodings[order[i]];
            trainAccuracies[i] = accuracies[order[i]];
            trainMacs[i] = macs[order[i]];
        }
        AccuracyPredictor predictor = AccuracyPredictor.fit(trainEncodings, trainAccuracies, options);
        MacsLine macsLine = MacsLine.fit(trainMacs, trainAccuracies);

        float[][] heldOutEncodings = new float[heldOutCount][];
        double[] measured = new double[heldOutCount];
        double[] macsPredicted = new double[heldOutCount];
        double binomialVariance = 0;
        for (int i = 0; i < heldOutCount; i++) {
            int row = order[trainCount + i];
            heldOutEncodings[i] = encodings[row];
            measured[i] = accuracies[row];
            macsPredicted[i] = macsLine.predict(macs[row]);
            binomialVariance += accuracies[row] * (1 - accuracies[row]) / images[row];
        }
        double[] predicted = predictor.score(heldOutEncodings);
        PredictorReport report = new PredictorReport(
                trainCount,
                heldOutCount,
                predictor.baseAccuracy(),
                points(rootMeanSquareError(predicted, measured)),
                PredictionAccuracy.kendallTau(predicted, measured),
                points(Math.sqrt(binomialVariance / heldOutCount)),
                points(rootMeanSquareError(macsPredicted, measured)),
                PredictionAccuracy.kendallTau(macsPredicted, measured));
        return new Fitted(predictor, report);
    }

    /** The split: a seeded permutation, the first 80 % to fit on, the rest held out. */
    static int[] shuffledRows(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // a stream split off the seed's, so the split does not replay the weight initialisation's draws
        SplittableRandom random = new SplittableRandom(seed).split();
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    private static double rootMeanSquareError(double[] predicted, double[] measured) {
        double squared = 0;
        for (int i = 0; i < predicted.length; i++) {
            double error = predicted[i] - measured[i];
            squared += error * error;
        }
        return Math.sqrt(squared / predicted.length);
    }

    private static double points(double fraction) {
        return 100 * fraction;
    }
}
