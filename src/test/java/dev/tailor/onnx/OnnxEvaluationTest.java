package dev.tailor.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.supernet.BatchNormCalibration;
import dev.tailor.supernet.StaticSubnet;
import dev.tailor.supernet.Supernet;
import dev.tailor.supernet.SupernetTest;
import dev.tailor.training.GeneratedImages;
import dev.tailor.training.LabelledImages;
import dev.tailor.training.Trainer;
import dev.tailor.training.TrainingData;
import dev.tailor.training.TrainingListener;
import dev.tailor.training.TrainingOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The catalogue's ONNX Runtime measurement against the supernet's own DJL recalibration and evaluation. */
class OnnxEvaluationTest {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);

    private static List<SubnetConfig> configs() {
        List<SubnetConfig> configs = new ArrayList<>(List.of(SPACE.largest(), SPACE.smallest()));
        Random random = new Random(11);
        for (int i = 0; i < 4; i++) {
            configs.add(SPACE.sample(random));
        }
        return configs;
    }

    @Test
    void recalibratedStatisticsEqualTheSupernetsOwnForEveryBatchNorm() {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager manager = NDManager.newBaseManager()) {
            Supernet supernet = Supernet.create(SPACE, 10, manager);
            SupernetTest.perturb(supernet, manager);
            for (SubnetConfig config : configs()) {
                int r = config.resolution();
                // 450 images: batches of 200, 200 and 50, so the weighting by batch size counts
                float[] pixels = manager.randomNormal(new Shape(450, 1, r, r)).toFloatArray();
                LabelledImages images = new LabelledImages(pixels, new int[450], 1, r);

                List<float[]> onnxMeans = new ArrayList<>();
                List<float[]> onnxVars = new ArrayList<>();
                List<float[]> before = new ArrayList<>();
                try (StaticSubnet extracted = StaticSubnet.extract(supernet, config, manager);
                        StaticSubnet calibrated = OnnxEvaluation.recalibrated(extracted, images, 200)) {
                    extracted
                            .convNorms()
                            .forEach(layer -> before.add(layer.var().toFloatArray()));
                    for (StaticSubnet.ConvNorm layer : calibrated.convNorms()) {
                        onnxMeans.add(layer.mean().toFloatArray());
                        onnxVars.add(layer.var().toFloatArray());
                    }
                }

                List<NDArray> batches = new ArrayList<>();
                for (int start = 0; start < 450; start += 200) {
                    int count = Math.min(200, 450 - start);
                    batches.add(manager.create(
                            Arrays.copyOfRange(pixels, start * r * r, (start + count) * r * r),
                            new Shape(count, 1, r, r)));
                }
                BatchNormCalibration.recalibrate(supernet, config, batches);
                try (StaticSubnet djl = StaticSubnet.extract(supernet, config, manager)) {
                    List<StaticSubnet.ConvNorm> layers = djl.convNorms();
                    assertThat(onnxMeans).hasSameSizeAs(layers);
                    for (int i = 0; i < layers.size(); i++) {
                        assertClose(onnxMeans.get(i), layers.get(i).mean().toFloatArray(), config + " mean " + i);
                        assertClose(onnxVars.get(i), layers.get(i).var().toFloatArray(), config + " var " + i);
                    }
                    // the statistics did move: the perturbed ones are nothing like these images'
                    float moved = 0;
                    for (int i = 0; i < layers.size(); i++) {
                        moved = Math.max(
                                moved,
                                maxDifference(before.get(i), layers.get(i).var().toFloatArray()));
                    }
                    assertThat(moved).isGreaterThan(0.1f);
                }
            }
        }
    }

    @Test
    void validationTop1InOnnxRuntimeEqualsTheTrainersOwnMeasurement() {
        TrainingData data = TrainingData.prepare("generated", GeneratedImages.make(1088, 200, 10, 5), 128, 1);
        // 256 calibration images: batches of 200 and 56
        TrainingOptions options = TrainingOptions.defaults("sandwich", 1)
                .withBatchSize(32)
                .withLearningRate(0.05)
                .withLimits(128, 256, 24);
        try (Trainer trainer = new Trainer(SPACE, data, options)) {
            trainer.train(new TrainingListener() {});
            List<Double> measured = new ArrayList<>();
            for (SubnetConfig config : configs()) {
                double onnx = OnnxEvaluation.calibratedValidationTop1(trainer, config);
                double djl = trainer.calibratedValidationTop1(config);
                measured.add(onnx);
                // one of 128 images may flip where two logits tie to float precision
                assertThat(onnx).as(config.canonicalJson()).isCloseTo(djl, within(1.5 / 128));
            }
            // the supernet learnt something, so agreement is not two chance-level counts
            assertThat(measured.stream().mapToDouble(Double::doubleValue).max().orElseThrow())
                    .isGreaterThan(0.3);
        }
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int c = 0; c < expected.length; c++) {
            assertThat(actual[c])
                    .as(what + " channel " + c)
                    .isCloseTo(expected[c], within(1e-4f + 1e-3f * Math.abs(expected[c])));
        }
    }

    private static float maxDifference(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
