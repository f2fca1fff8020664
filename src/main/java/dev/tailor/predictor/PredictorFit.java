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
    static final int MIN_ROWS = 5;

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
        int[] heldOutImages = new int[heldOutCount];
        for (int i = 0; i < heldOutCount; i++) {
            int row = order[trainCount + i];
            heldOutEncodings[i] = encodings[row];
            measured[i] = accuracies[row];
            heldOutImages[i] = images[row];
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
                PredictionAccuracy.kendallTau(macsPredicted, measured),
                kendallTauCeiling(measured, heldOutImages, options.seed()));
        return new Fitted(predictor, report);
    }

    /**
     * An estimate of the Kendall tau a perfect predictor of the true accuracies would reach against
     * these noisy measurements: the measurements shrunk towards their mean until their spread is the
     * measured spread less the binomial noise (an estimate of the true accuracies), then measured
     * again {@value #CEILING_DRAWS} times with that noise added, seeded; the mean tau of those draws.
     * When subnets differ by little more than the noise of measuring them, no predictor ranks them
     * reliably, so this bounds what the tau target can ask of a catalogue.
     */
    static double kendallTauCeiling(double[] measured, int[] images, long seed) {
        int n = measured.length;
        double mean = 0;
        double noiseVariance = 0;
        double[] standardErrors = new double[n];
        for (int i = 0; i < n; i++) {
            mean += measured[i] / n;
            standardErrors[i] = Math.sqrt(measured[i] * (1 - measured[i]) / images[i]);
            noiseVariance += standardErrors[i] * standardErrors[i] / n;
        }
        double variance = 0;
        for (double value : measured) {
            variance += (value - mean) * (value - mean) / n;
        }
        if (variance == 0) {
            return 0;
        }
        double shrink = Math.sqrt(Math.max(0, variance - noiseVariance) / variance);
        double[] truth = new double[n];
        for (int i = 0; i < n; i++) {
            truth[i] = mean + (measured[i] - mean) * shrink;
        }
        java.util.Random random = new java.util.Random(seed ^ 0x7a0c311L);
        double sum = 0;
        double[] remeasured = new double[n];
        for (int draw = 0; draw < CEILING_DRAWS; draw++) {
            for (int i = 0; i < n; i++) {
                remeasured[i] = truth[i] + random.nextGaussian() * standardErrors[i];
            }
            sum += PredictionAccuracy.kendallTau(truth, remeasured);
        }
        return sum / CEILING_DRAWS;
    }

    static final int CEILING_DRAWS = 200;

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
