package dev.tailor.supernet;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

public class SupernetTest {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);

    private NDManager manager;
    private Supernet supernet;
    private final ParameterStore store = new ParameterStore();

    @BeforeEach
    void build() {
        Engine.getInstance().setRandomSeed(11);
        manager = NDManager.newBaseManager();
        supernet = Supernet.create(SPACE, 10, manager);
        perturb(supernet, manager);
    }

    @AfterEach
    void release() {
        manager.close();
    }

    /** Non-trivial BN statistics and affine terms, so that slicing mistakes would show. */
    public static void perturb(Supernet supernet, NDManager manager) {
        for (Pair<String, Parameter> named : supernet.getParameters()) {
            Parameter parameter = named.getValue();
            NDArray array = parameter.getArray();
            Shape shape = array.getShape();
            NDArray noise = switch (parameter.getType()) {
                case RUNNING_VAR -> manager.randomUniform(0.5f, 2f, shape);
                case GAMMA -> manager.randomUniform(0.5f, 1.5f, shape);
                case RUNNING_MEAN, BETA, BIAS -> manager.randomNormal(0f, 0.1f, shape, array.getDataType());
                default -> null;
            };
            if (noise != null) {
                array.set(new NDIndex(":"), noise);
            }
        }
    }

    private NDArray images(int batch, int resolution) {
        return manager.randomNormal(new Shape(batch, 1, resolution, resolution));
    }

    @Test
    void everySubnetThroughTheSupernetEqualsTheStaticNetworkOfItsSlicedWeights() {
        Random random = new Random(3);
        List<SubnetConfig> configs = new java.util.ArrayList<>(List.of(SPACE.largest(), SPACE.smallest()));
        for (int i = 0; i < 8; i++) {
            configs.add(SPACE.sample(random));
        }
        for (SubnetConfig config : configs) {
            NDArray x = images(3, config.resolution());
            supernet.setActiveSubnet(config);
            NDArray dynamic = supernet.logits(store, x, false, false);
            try (StaticSubnet fixed = StaticSubnet.extract(supernet, config, manager)) {
                NDArray expected = fixed.logits(x);
                assertThat(dynamic.getShape()).isEqualTo(new Shape(3, 10));
                float maxDiff = dynamic.sub(expected).abs().max().getFloat();
                assertThat(maxDiff).as(config.canonicalJson()).isLessThan(1e-4f);
            }
        }
    }

    @Test
    void aTrainingStepRunsChannelsLastAndComputesTheSameFunction() {
        // with gradients recorded (a training step) the network runs channels-last; without
        // (evaluation, calibration) it does not: both must be the same function
        Random random = new Random(5);
        List<SubnetConfig> configs = new java.util.ArrayList<>(List.of(SPACE.largest(), SPACE.smallest()));
        for (int i = 0; i < 4; i++) {
            configs.add(SPACE.sample(random));
        }
        boolean before = ai.djl.pytorch.jni.JniUtils.isGradMode();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        try {
            for (SubnetConfig config : configs) {
                supernet.setActiveSubnet(config);
                NDArray x = images(16, config.resolution());
                NDArray plain = supernet.logits(store, x, true, false);
                try (ai.djl.training.GradientCollector collector =
                        ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    NDArray channelsLast = supernet.logits(store, x, true, false);
                    assertThat(channelsLast.sub(plain).abs().max().getFloat())
                            .as(config.canonicalJson())
                            .isLessThan(1e-3f);
                    collector.backward(channelsLast.sum());
                }
            }
            NDArray depthwise = supernet.getParameters().stream()
                    .filter(p -> p.getKey().endsWith("depthwise_weight"))
                    .findFirst()
                    .orElseThrow()
                    .getValue()
                    .getArray();
            assertThat(depthwise.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
        } finally {
            ai.djl.pytorch.jni.JniUtils.setGradMode(before);
        }
    }

    @Test
    void channelsLastStepsGiveTheSameGradientsAsPlainOnes() {
        Random random = new Random(9);
        for (SubnetConfig config : List.of(SPACE.largest(), SPACE.smallest(), SPACE.sample(random))) {
            supernet.setActiveSubnet(config);
            NDArray x = images(16, config.resolution());
            Map<String, float[]> plain = gradients(x, false);
            Map<String, float[]> channelsLast = gradients(x, true);
            assertThat(channelsLast.keySet()).isEqualTo(plain.keySet());
            // relative to the largest gradient of the network: a bias in front of a training-mode
            // batch norm has a gradient that is zero up to rounding, with no scale of its own
            double largest = plain.values().stream()
                    .mapToDouble(g -> {
                        double m = 0;
                        for (float v : g) {
                            m = Math.max(m, Math.abs(v));
                        }
                        return m;
                    })
                    .max()
                    .orElseThrow();
            assertThat(largest).isGreaterThan(0);
            for (Map.Entry<String, float[]> entry : plain.entrySet()) {
                float[] expected = entry.getValue();
                float[] actual = channelsLast.get(entry.getKey());
                double worst = 0;
                for (int i = 0; i < expected.length; i++) {
                    worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
                }
                assertThat(worst / largest)
                        .as(config.canonicalJson() + " " + entry.getKey())
                        .isLessThan(1e-4);
            }
        }
    }

    /** Every parameter's gradient of the summed logits of one training-mode forward. */
    private Map<String, float[]> gradients(NDArray x, boolean channelsLast) {
        boolean before = ai.djl.pytorch.jni.JniUtils.isGradMode();
        Layouts.channelsLastSteps = channelsLast;
        try {
            for (var named : supernet.getParameters()) {
                if (named.getValue().requiresGradient()) {
                    named.getValue().getArray().setRequiresGradient(true);
                }
            }
            try (ai.djl.training.GradientCollector collector =
                    ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                collector.backward(supernet.logits(store, x, true, false).sum());
            }
            Map<String, float[]> gradients = new java.util.TreeMap<>();
            for (var named : supernet.getParameters()) {
                if (!named.getValue().requiresGradient()) {
                    continue;
                }
                NDArray gradient = named.getValue().getArray().getGradient();
                gradients.put(named.getKey(), gradient.toFloatArray());
                ai.djl.pytorch.jni.JniUtils.setGradMode(false);
                gradient.subi(gradient);
                ai.djl.pytorch.jni.JniUtils.setGradMode(before);
            }
            return gradients;
        } finally {
            Layouts.channelsLastSteps = true;
            ai.djl.pytorch.jni.JniUtils.setGradMode(before);
        }
    }

    @Test
    void withAnExitHeadPerDepthEachTotalDepthClassifiesWithItsOwnHead() {
        int heads = Supernet.exitHeadsPerDepth(SPACE);
        assertThat(heads).isEqualTo(7);
        try (NDManager own = NDManager.newBaseManager()) {
            Supernet multi = Supernet.create(SPACE, 10, heads, own);
            perturb(multi, own);
            SubnetConfig shallow = SPACE.smallest();
            SubnetConfig deeper = new SubnetConfig(
                    20, List.of(3, 2, 2), java.util.Collections.nCopies(7, 3), java.util.Collections.nCopies(7, 3));
            SubnetConfig sameTotal = new SubnetConfig(
                    20, List.of(2, 2, 3), java.util.Collections.nCopies(7, 3), java.util.Collections.nCopies(7, 3));
            assertThat(multi.exitHead(shallow)).isZero();
            assertThat(multi.exitHead(deeper)).isEqualTo(1).isEqualTo(multi.exitHead(sameTotal));
            assertThat(multi.exitHead(SPACE.largest())).isEqualTo(heads - 1);
            assertThat(multi.classifierWeight(deeper)).isNotSameAs(multi.classifierWeight(shallow));
            assertThat(multi.getParameters().keys()).contains("classifierWeight", "classifierWeight6");
            for (SubnetConfig config : List.of(shallow, deeper, SPACE.largest())) {
                NDArray x = manager.randomNormal(new Shape(2, 1, config.resolution(), config.resolution()));
                multi.setActiveSubnet(config);
                NDArray dynamic = multi.logits(store, x, false, false);
                try (StaticSubnet fixed = StaticSubnet.extract(multi, config, own)) {
                    assertThat(dynamic.sub(fixed.logits(x)).abs().max().getFloat())
                            .isLessThan(1e-4f);
                }
            }
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Supernet(SPACE, 10, 3))
                .hasMessageContaining("1 or 7 exit heads");
    }

    @Test
    void backwardThroughASubnetReachesOnlyTheWeightsItUses() {
        SubnetConfig smallest = SPACE.smallest();
        supernet.setActiveSubnet(smallest);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logits = supernet.logits(store, images(4, smallest.resolution()), true, true);
            collector.backward(logits.sum());
        }
        ElasticMBConv block = supernet.stages().get(0).get(0);
        NDArray grad = block.expandConv().weight().getArray().getGradient();
        int usedMid = dev.tailor.space.SubnetPlan.midChannels(block.inChannels(), 3);
        assertThat(grad.get(new NDIndex(":{}", usedMid)).abs().sum().getFloat()).isPositive();
        assertThat(grad.get(new NDIndex("{}:", usedMid)).abs().sum().getFloat()).isZero();
        // depth 2: the third block of every stage is skipped entirely
        NDArray skipped = supernet.stages()
                .get(0)
                .get(2)
                .projectConv()
                .weight()
                .getArray()
                .getGradient();
        assertThat(skipped.abs().sum().getFloat()).isZero();
        // kernel 3 reaches the 7x7 weight's centre and both transform matrices
        DynamicDepthwiseConv depthwise = block.depthwise();
        NDArray depthGrad = depthwise.weight().getArray().getGradient();
        assertThat(depthGrad.get(new NDIndex(":, :, 0, :")).abs().sum().getFloat())
                .isZero();
        assertThat(depthGrad.get(new NDIndex(":, :, 3, 3")).abs().sum().getFloat())
                .isPositive();
        assertThat(depthwise
                        .transforms()
                        .get(1)
                        .getArray()
                        .getGradient()
                        .abs()
                        .sum()
                        .getFloat())
                .isPositive();
    }

    @Test
    void reorganisingChannelsKeepsTheLargestNetworksFunctionAndSortsByImportance() {
        SubnetConfig largest = SPACE.largest();
        NDArray x = images(2, largest.resolution());
        supernet.setActiveSubnet(largest);
        float[] before = supernet.logits(store, x, false, false).toFloatArray();

        List<ChannelPermutation> permutations = ChannelReorganization.reorganize(supernet, 0);

        assertThat(permutations).isNotEmpty();
        float[] after = supernet.logits(store, x, false, false).toFloatArray();
        for (int i = 0; i < before.length; i++) {
            assertThat(after[i]).isCloseTo(before[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
        float[] importance = ChannelReorganization.l1(
                supernet.stages().get(1).get(0).projectConv().weight().getArray(), 1);
        for (int i = 1; i < importance.length; i++) {
            assertThat(importance[i]).isLessThanOrEqualTo(importance[i - 1]);
        }
    }

    @Test
    void recalibrationSetsRunningStatisticsToTheCalibrationImagesOwn() {
        SubnetConfig config = SPACE.smallest();
        NDArray first = images(5, config.resolution());
        NDArray second = images(3, config.resolution());
        BatchNormCalibration.recalibrate(supernet, config, List.of(first, second));

        // the stem's BN sees the stem convolution's output: its mean over all 8 images per channel
        NDArray all = first.concat(second);
        NDArray stemOut = ai.djl.nn.convolutional.Conv2d.conv2d(
                        all,
                        supernet.stem().weight().getArray(),
                        null,
                        new Shape(2, 2),
                        new Shape(1, 1),
                        new Shape(1, 1),
                        1)
                .singletonOrThrow();
        float[] expectedMean = Reductions.channelMean(stemOut).toFloatArray();
        float[] running = supernet.stemNorm().runningMean().getArray().toFloatArray();
        for (int c = 0; c < expectedMean.length; c++) {
            assertThat(running[c]).isCloseTo(expectedMean[c], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @Test
    void recalibrationLeavesNoArrayBehindOnTheSupernetsManager() {
        // a catalogue build or an evaluation after every epoch recalibrates thousands of times on one supernet
        SubnetConfig config = SPACE.smallest();
        List<NDArray> batches = List.of(images(4, config.resolution()), images(4, config.resolution()));
        BatchNormCalibration.recalibrate(supernet, config, batches);
        int before = manager.getManagedArrays().size();
        for (int i = 0; i < 3; i++) {
            BatchNormCalibration.recalibrate(supernet, config, batches);
        }
        assertThat(manager.getManagedArrays()).hasSize(before);
    }
}
