package dev.tailor.predictor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.tailor.space.SearchSpace;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MlpTrainingTest {

    @Test
    void backpropagationMatchesFiniteDifferencesOfTheLoss() {
        int inputs = 7;
        int hidden = 6;
        MlpWeights weights = MlpWeights.initialised(inputs, hidden, new SplittableRandom(11));
        Random random = new Random(11);
        float[][] x = new float[5][inputs];
        double[] y = new double[5];
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < inputs; k++) {
                x[i][k] = random.nextInt(2) == 0 ? 0f : (float) random.nextGaussian();
            }
            y[i] = random.nextDouble();
        }
        double base = 0.4;
        List<float[]> analytic = MlpTraining.gradient(weights, base, x, y).arrays();
        List<float[]> params = weights.arrays();
        int checked = 0;
        for (int a = 0; a < params.size(); a++) {
            float[] param = params.get(a);
            for (int j = 0; j < param.length; j++) {
                float saved = param[j];
                float step = 1e-3f;
                param[j] = saved + step;
                double up = loss(weights, base, x, y);
                param[j] = saved - step;
                double down = loss(weights, base, x, y);
                param[j] = saved;
                double numeric = (up - down) / (2.0 * step);
                // small enough a step to cross no ReLU kink here (1e-2 crosses five), large enough
                // for float32 rounding of the loss to stay near 1e-5 of the difference
                assertThat((double) analytic.get(a)[j])
                        .as("array %d entry %d", a, j)
                        .isCloseTo(numeric, offset(1e-4 + 1e-2 * Math.abs(numeric)));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(inputs * hidden + 2 * hidden * hidden + 4 * hidden);
    }

    private static double loss(MlpWeights weights, double base, float[][] x, double[] y) {
        AccuracyPredictor predictor = new AccuracyPredictor(weights, base);
        double[] predicted = predictor.score(x);
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += (predicted[i] - y[i]) * (predicted[i] - y[i]);
        }
        return sum / y.length;
    }

    @Test
    void adamAddsWeightDecayToTheGradientAndCorrectsBiasLikePyTorch() {
        float[] param = {1.0f, -2.0f, 0.5f};
        float[] grad = {0.0f, 0.3f, -0.01f};
        double lr = 0.01;
        double decay = 0.1;
        Adam adam = new Adam(List.of(param), lr, decay);
        double[] p = {1.0, -2.0, 0.5};
        double[] m = new double[3];
        double[] v = new double[3];
        for (int t = 1; t <= 3; t++) {
            adam.step(List.of(grad));
            for (int j = 0; j < 3; j++) {
                double g = grad[j] + decay * p[j];
                m[j] = 0.9 * m[j] + 0.1 * g;
                v[j] = 0.999 * v[j] + 0.001 * g * g;
                double mHat = m[j] / (1 - Math.pow(0.9, t));
                double vHat = v[j] / (1 - Math.pow(0.999, t));
                p[j] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
            }
            for (int j = 0; j < 3; j++) {
                assertThat((double) param[j]).as("step %d entry %d", t, j).isCloseTo(p[j], offset(1e-6));
            }
        }
        // L2 in the gradient: a zero gradient still moves a decayed weight a whole Adam step (lr), where
        // AdamW would move it by lr * decay * weight only
        assertThat((double) param[0]).isCloseTo(1.0 - 3 * lr, offset(1e-4));
    }

    @Test
    void fittingDrivesTheTrainingErrorDown() {
        SyntheticAccuracies data = SyntheticAccuracies.sample(SearchSpace.named(SearchSpace.FASHION_MNIST), 120, 12);
        FitOptions options = FitOptions.defaults().withHidden(64);
        AccuracyPredictor barelyTrained =
                AccuracyPredictor.fit(data.encodings(), data.accuracies(), options.withEpochs(1));
        AccuracyPredictor trained = AccuracyPredictor.fit(data.encodings(), data.accuracies(), options.withEpochs(60));
        double before = rmse(barelyTrained.score(data.encodings()), data.accuracies());
        double after = rmse(trained.score(data.encodings()), data.accuracies());
        assertThat(after).isLessThan(before / 3).isLessThan(0.006);
    }

    private static double rmse(double[] predicted, double[] measured) {
        double sum = 0;
        for (int i = 0; i < measured.length; i++) {
            sum += (predicted[i] - measured[i]) * (predicted[i] - measured[i]);
        }
        return Math.sqrt(sum / measured.length);
    }
}
