package dev.tailor.predictor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.tailor.space.SearchSpace;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PredictorFitTest {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);
    private static final FitOptions QUICK = FitOptions.defaults().withHidden(16).withEpochs(5);

    @Test
    void onARealSpaceThePredictorBeatsTheMacsLineOnHeldOutSubnets() {
        SyntheticAccuracies data = SyntheticAccuracies.sample(SPACE, 400, 21);
        int[] images = new int[400];
        Arrays.fill(images, 10_000);
        PredictorFit.Fitted fitted =
                PredictorFit.fit(data.encodings(), data.accuracies(), images, data.macs(), FitOptions.defaults());
        PredictorReport report = fitted.report();
        assertThat(report.trainCount()).isEqualTo(320);
        assertThat(report.heldOutCount()).isEqualTo(80);
        // MACs carry part of the signal, so the baseline is a real one, not a coin toss
        assertThat(report.macsKendallTau()).isGreaterThan(0.4);
        // seeds 1 to 3 and 21 of this data put the ratio between 0.43 and 0.57
        assertThat(report.rmsePoints()).isLessThan(0.65 * report.macsRmsePoints());
        assertThat(report.kendallTau()).isGreaterThanOrEqualTo(0.8).isGreaterThan(report.macsKendallTau() + 0.1);
        // the synthetic noise is 0.2 points; the predictor cannot honestly get below it
        assertThat(report.rmsePoints()).isGreaterThan(100 * SyntheticAccuracies.NOISE * 0.7);
        assertThat(report.baseAccuracy()).isEqualTo(fitted.predictor().baseAccuracy());
    }

    @Test
    void theSplitIsASeededPartitionAndTheServedPredictorIsTheOneReportedOn() {
        int[] order = PredictorFit.shuffledRows(50, 3);
        assertThat(order).containsExactlyInAnyOrder(IntStream.range(0, 50).toArray());
        assertThat(PredictorFit.shuffledRows(50, 3)).isEqualTo(order);
        assertThat(PredictorFit.shuffledRows(50, 4)).isNotEqualTo(order);

        SyntheticAccuracies data = SyntheticAccuracies.sample(SPACE, 50, 5);
        int[] images = new int[50];
        Arrays.fill(images, 1000);
        PredictorFit.Fitted fitted =
                PredictorFit.fit(data.encodings(), data.accuracies(), images, data.macs(), QUICK.withSeed(3));
        float[][] train = new float[40][];
        double[] trainAccuracies = new double[40];
        for (int i = 0; i < 40; i++) {
            train[i] = data.encodings()[order[i]];
            trainAccuracies[i] = data.accuracies()[order[i]];
        }
        AccuracyPredictor onTheEightyPercent = AccuracyPredictor.fit(train, trainAccuracies, QUICK.withSeed(3));
        assertThat(fitted.predictor().toBytes()).isEqualTo(onTheEightyPercent.toBytes());
    }

    @Test
    void noiseFloorAndErrorsMatchAHandComputation() {
        // accuracy exactly linear in MACs: the MACs line is perfect and ranks perfectly
        int n = 10;
        SyntheticAccuracies data = SyntheticAccuracies.sample(SPACE, n, 6);
        long[] macs = new long[n];
        double[] accuracies = new double[n];
        int[] images = new int[n];
        for (int i = 0; i < n; i++) {
            macs[i] = 1_000_000L + 250_000L * i;
            accuracies[i] = 0.5 + 0.04 * i;
            images[i] = 100 + 50 * i;
        }
        PredictorReport report = PredictorFit.fit(data.encodings(), accuracies, images, macs, QUICK.withSeed(9))
                .report();
        int[] order = PredictorFit.shuffledRows(n, 9);
        int a = order[8];
        int b = order[9];
        double varianceA = accuracies[a] * (1 - accuracies[a]) / images[a];
        double varianceB = accuracies[b] * (1 - accuracies[b]) / images[b];
        assertThat(report.trainCount()).isEqualTo(8);
        assertThat(report.heldOutCount()).isEqualTo(2);
        assertThat(report.noiseFloorPoints()).isCloseTo(100 * Math.sqrt((varianceA + varianceB) / 2), offset(1e-12));
        assertThat(report.macsRmsePoints()).isCloseTo(0, offset(1e-9));
        assertThat(report.macsKendallTau()).isEqualTo(1.0);
        double trainMean = 0;
        for (int i = 0; i < 8; i++) {
            trainMean += accuracies[order[i]];
        }
        assertThat(report.baseAccuracy()).isCloseTo(trainMean / 8, offset(1e-15));
    }

    @Test
    void mismatchedOrTooFewRowsAreRefused() {
        SyntheticAccuracies data = SyntheticAccuracies.sample(SPACE, 4, 7);
        assertThatThrownBy(() -> PredictorFit.fit(data.encodings(), data.accuracies(), new int[4], data.macs(), 1))
                .hasMessageContaining("at least 5");
        SyntheticAccuracies more = SyntheticAccuracies.sample(SPACE, 6, 7);
        assertThatThrownBy(() -> PredictorFit.fit(more.encodings(), more.accuracies(), new int[5], more.macs(), 1))
                .hasMessageContaining("5 image counts");
        assertThatThrownBy(() -> PredictorFit.fit(more.encodings(), more.accuracies(), new int[6], more.macs(), 1))
                .hasMessageContaining("measured on 0 images");
    }
}
