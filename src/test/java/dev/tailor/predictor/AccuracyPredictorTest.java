package dev.tailor.predictor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.tailor.space.SearchSpace;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AccuracyPredictorTest {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);
    private static final FitOptions QUICK = FitOptions.defaults().withHidden(32).withEpochs(10);

    @Test
    void sameDataAndSeedGiveBitIdenticalWeightsAndAnotherSeedDoesNot() {
        SyntheticAccuracies data = SyntheticAccuracies.sample(SPACE, 100, 1);
        byte[] first = AccuracyPredictor.fit(data.encodings(), data.accuracies(), QUICK.withSeed(7))
                .toBytes();
        byte[] again = AccuracyPredictor.fit(data.encodings(), data.accuracies(), QUICK.withSeed(7))
                .toBytes();
        byte[] otherSeed = AccuracyPredictor.fit(data.encodings(), data.accuracies(), QUICK.withSeed(8))
                .toBytes();
        assertThat(again).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
    }

    @Test
    void baseAccuracyIsTheMeanTargetAndIsNotTrained() {
        SyntheticAccuracies data = SyntheticAccuracies.sample(SPACE, 50, 2);
        AccuracyPredictor predictor = AccuracyPredictor.fit(data.encodings(), data.accuracies(), QUICK);
        assertThat(predictor.baseAccuracy())
                .isCloseTo(Arrays.stream(data.accuracies()).average().orElseThrow(), offset(1e-15));
    }

    @Test
    void batchScoresMatchADenseDoublePrecisionForwardPass() {
        MlpWeights weights = MlpWeights.initialised(75, 400, new SplittableRandom(3));
        AccuracyPredictor predictor = new AccuracyPredictor(weights, 0.7);
        SyntheticAccuracies data = SyntheticAccuracies.sample(SPACE, 150, 3);
        // beyond the one-hot rows, inputs that are neither 0 nor 1, some of them negative
        Random random = new Random(3);
        float[][] inputs = Arrays.copyOf(data.encodings(), 200);
        for (int i = 150; i < 200; i++) {
            inputs[i] = new float[75];
            for (int k = 0; k < 75; k++) {
                inputs[i][k] = random.nextInt(3) == 0 ? (float) random.nextGaussian() : 0f;
            }
        }
        double[] batch = predictor.score(inputs);
        double[] small = predictor.score(Arrays.copyOf(inputs, 10));
        for (int i = 0; i < inputs.length; i++) {
            double reference = denseForward(weights, inputs[i]) + 0.7;
            assertThat(batch[i]).as("row %d", i).isCloseTo(reference, offset(1e-5));
            assertThat(predictor.score(inputs[i])).isEqualTo(batch[i]);
            if (i < small.length) {
                assertThat(small[i]).isEqualTo(batch[i]);
            }
        }
        // the reference is not trivially equal: outputs spread well beyond the tolerance
        assertThat(Arrays.stream(batch).max().orElseThrow()
                        - Arrays.stream(batch).min().orElseThrow())
                .isGreaterThan(0.01);
    }

    /** PyTorch's forward, fc(x) + base, written out with every product and in double. */
    static double denseForward(MlpWeights w, float[] x) {
        double[] h1 = relu(dense(toDoubles(x), w.w1, w.b1));
        double[] h2 = relu(dense(h1, w.w2, w.b2));
        double[] h3 = relu(dense(h2, w.w3, w.b3));
        double out = 0;
        for (int j = 0; j < w.hidden; j++) {
            out += h3[j] * w.w4[j];
        }
        return out;
    }

    private static double[] dense(double[] in, float[][] rowsByInput, float[] bias) {
        double[] out = new double[bias.length];
        for (int j = 0; j < out.length; j++) {
            double sum = bias[j];
            for (int k = 0; k < in.length; k++) {
                sum += in[k] * rowsByInput[k][j];
            }
            out[j] = sum;
        }
        return out;
    }

    private static double[] relu(double[] values) {
        return Arrays.stream(values).map(v -> Math.max(v, 0)).toArray();
    }

    private static double[] toDoubles(float[] values) {
        double[] doubles = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            doubles[i] = values[i];
        }
        return doubles;
    }

    @Test
    void bytesRoundTripToIdenticalScoresAndAreDeterministic() {
        SyntheticAccuracies data = SyntheticAccuracies.sample(SPACE, 80, 4);
        AccuracyPredictor predictor = AccuracyPredictor.fit(data.encodings(), data.accuracies(), QUICK);
        byte[] bytes = predictor.toBytes();
        AccuracyPredictor restored = AccuracyPredictor.fromBytes(bytes);
        assertThat(restored.inputs()).isEqualTo(75);
        assertThat(restored.hidden()).isEqualTo(32);
        assertThat(restored.baseAccuracy()).isEqualTo(predictor.baseAccuracy());
        assertThat(restored.score(data.encodings())).isEqualTo(predictor.score(data.encodings()));
        assertThat(restored.toBytes()).isEqualTo(bytes);
        assertThat(bytes).hasSize(4 + 3 * 4 + 8 + 4 * (75 * 32 + 2 * 32 * 32 + 4 * 32));
    }

    @Test
    void bytesFromElsewhereAreRefused() {
        byte[] bytes = new AccuracyPredictor(MlpWeights.initialised(6, 4, new SplittableRandom(5)), 0.5).toBytes();
        byte[] otherVersion = bytes.clone();
        otherVersion[7] = 2;
        assertThatThrownBy(() -> AccuracyPredictor.fromBytes(otherVersion)).hasMessageContaining("version 2");
        byte[] notOurs = bytes.clone();
        notOurs[0] = 'X';
        assertThatThrownBy(() -> AccuracyPredictor.fromBytes(notOurs)).hasMessageContaining("TAPR");
        assertThatThrownBy(() -> AccuracyPredictor.fromBytes(Arrays.copyOf(bytes, bytes.length - 4)))
                .hasMessageContaining("takes " + bytes.length + " bytes");
        assertThatThrownBy(() -> AccuracyPredictor.fromBytes(Arrays.copyOf(bytes, 10)))
                .hasMessageContaining("end early");
        byte[] huge = bytes.clone();
        huge[8] = 0x7f; // inputs near Integer.MAX_VALUE must be refused before anything is allocated
        assertThatThrownBy(() -> AccuracyPredictor.fromBytes(huge)).hasMessageContaining("takes");
    }

    @Test
    void percentagesAndRaggedEncodingsAreRefused() {
        float[][] encodings = {{1, 0}, {0, 1}};
        assertThatThrownBy(() -> AccuracyPredictor.fit(encodings, new double[] {81.5, 79.0}, QUICK))
                .hasMessageContaining("fractions in [0, 1]");
        assertThatThrownBy(() -> AccuracyPredictor.fit(new float[][] {{1, 0}, {1}}, new double[] {0.8, 0.7}, QUICK))
                .hasMessageContaining("encoding 1 has 1 entries");
        AccuracyPredictor predictor = AccuracyPredictor.fit(encodings, new double[] {0.8, 0.7}, QUICK);
        assertThatThrownBy(() -> predictor.score(new float[3])).hasMessageContaining("takes 2");
    }
}
