package dev.tailor.supernet;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class DynamicConvTest {

    /** Channel counts of the space's 1x1 convolutions, the first three wrong in libtorch's channels-last kernel on some CPUs. */
    private static final int[][] IN_OUT = {{240, 40}, {24, 72}, {144, 40}, {16, 48}, {40, 240}};

    @Test
    void aPointwiseConvolutionOfAChannelsLastActivationIsTheConvolutionItself() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int[] io : IN_OUT) {
                for (int batch : new int[] {2, 128}) {
                    NDArray x = manager.randomNormal(new Shape(batch, io[0], 14, 14));
                    NDArray w = manager.randomNormal(new Shape(io[1], io[0], 1, 1));
                    NDArray b = manager.randomNormal(new Shape(io[1]));
                    NDArray expected = reference(x, w, b);
                    for (NDArray input : new NDArray[] {x, Layouts.channelsLast(x)}) {
                        NDArray actual = DynamicConv.pointwise(input, w, b);
                        assertThat(actual.getShape()).isEqualTo(expected.getShape());
                        assertThat(relativeError(actual, expected))
                                .as(io[0] + " to " + io[1] + " channels, batch " + batch)
                                .isLessThan(1e-5);
                    }
                }
            }
        }
    }

    @Test
    void aTrainingStepsPointwiseConvolutionComputesTheSameFunctionAsEvaluation() {
        Engine.getInstance().setRandomSeed(4);
        try (NDManager manager = NDManager.newBaseManager()) {
            DynamicConv conv = DynamicConv.builder().setChannels(240, 40).build();
            conv.initialize(manager, DataType.FLOAT32, new Shape(1, 240, 14, 14));
            NDArray x = manager.randomNormal(new Shape(16, 240, 14, 14));
            NDArray evaluation =
                    conv.forward(new ParameterStore(), new NDList(x), false).singletonOrThrow();
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray step = conv.forward(new ParameterStore(), new NDList(Layouts.channelsLast(x)), true)
                        .singletonOrThrow();
                assertThat(relativeError(step, evaluation)).isLessThan(1e-5);
            }
        }
    }

    @Test
    void aTrainingStepLeavesNoArrayOnTheWeightsManager() {
        // a full-width 1x1 weight is the parameter's own array, whose operations DJL gives to its manager:
        // an array left there lives as long as the supernet, one per layer and step
        Engine.getInstance().setRandomSeed(5);
        try (NDManager weights = NDManager.newBaseManager()) {
            DynamicConv conv = DynamicConv.builder().setChannels(24, 72).build();
            conv.initialize(weights, DataType.FLOAT32, new Shape(1, 24, 7, 7));
            int before = -1;
            for (int step = 0; step < 4; step++) {
                if (step == 1) {
                    // after a first step: whatever a backward pass keeps for good (gradients) is there by now
                    before = weights.getManagedArrays().size();
                }
                try (NDManager activations = weights.newSubManager();
                        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray x = Layouts.channelsLast(activations.randomNormal(new Shape(4, 24, 7, 7)));
                    NDArray y = conv.forward(new ParameterStore(), new NDList(x), true)
                            .singletonOrThrow();
                    collector.backward(y.sum());
                }
            }
            assertThat(weights.getManagedArrays()).hasSize(before);
        }
    }

    private static NDArray reference(NDArray x, NDArray w, NDArray b) {
        NDArray x64 = x.toType(DataType.FLOAT64, false);
        return Conv2d.conv2d(
                        x64,
                        w.toType(DataType.FLOAT64, false),
                        b.toType(DataType.FLOAT64, false),
                        new Shape(1, 1),
                        new Shape(0, 0),
                        new Shape(1, 1),
                        1)
                .singletonOrThrow()
                .toType(DataType.FLOAT32, false);
    }

    private static double relativeError(NDArray actual, NDArray expected) {
        return actual.sub(expected).abs().max().getFloat()
                / expected.abs().max().getFloat();
    }
}
