package dev.tailor.supernet;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Each operator of an elastic block, run channels-last as a training step runs it, against the
 * same operator in float64: its input gradient must be as exact as float32 allows, for a full-width
 * block and for one whose weights are sliced. (Whole-network gradients are compared in
 * SupernetTest; activations are left out here because rounding may move an element across their
 * kink, which is not an error of the layout.)
 */
class ChannelsLastPrecisionTest {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);

    @Test
    void everyOperatorOfABlockIsAsExactChannelsLastAsInFloat32() {
        Engine.getInstance().setRandomSeed(11);
        try (NDManager manager = NDManager.newBaseManager()) {
            Supernet single = Supernet.create(SPACE, 10, manager);
            SupernetTest.perturb(single, manager);
            Supernet twin = new Supernet(SPACE, 10, 1);
            twin.initialize(manager, DataType.FLOAT64, new Shape(1, 1, 28, 28));
            var from = single.getParameters();
            var to = twin.getParameters();
            for (int i = 0; i < from.size(); i++) {
                to.get(i)
                        .getValue()
                        .getArray()
                        .set(new NDIndex(":"), from.get(i).getValue().getArray().toType(DataType.FLOAT64, false));
            }
            // stage 1: block 1 sliced (expand 3 of 6), block 3 at full width; both with squeeze-excite
            SubnetConfig config = new SubnetConfig(
                    28,
                    List.of(3, 4, 4),
                    List.of(5, 5, 3, 3, 3, 3, 7, 3, 7, 7, 7),
                    List.of(6, 6, 3, 4, 3, 4, 6, 3, 4, 3, 6));
            single.setActiveSubnet(config);
            twin.setActiveSubnet(config);
            for (int b : new int[] {1, 3}) {
                ElasticMBConv block = single.stages().get(1).get(b);
                ElasticMBConv block64 = twin.stages().get(1).get(b);
                int mid = SubnetPlan.midChannels(block.inChannels(), block.activeExpand());
                List<Function<ElasticMBConv, Block>> parts = List.of(
                        ElasticMBConv::expandConv,
                        ElasticMBConv::depthwise,
                        ElasticMBConv::depthwiseNorm,
                        ElasticMBConv::squeezeExcite,
                        ElasticMBConv::projectConv,
                        ElasticMBConv::projectNorm);
                List<String> names = List.of("expand", "depthwise", "depthwiseNorm", "se", "project", "projectNorm");
                for (int k = 0; k < parts.size(); k++) {
                    int inChannels = k == 0 ? block.inChannels() : k == parts.size() - 1 ? block.outChannels() : mid;
                    NDArray x = manager.randomNormal(new Shape(64, inChannels, 14, 14));
                    Block part = parts.get(k).apply(block);
                    NDArray upstream = manager.randomNormal(part.forward(new ParameterStore(), new NDList(x), false)
                            .singletonOrThrow()
                            .getShape());
                    double[] reference = inputGradient(
                            parts.get(k).apply(block64),
                            x.toType(DataType.FLOAT64, false),
                            upstream.toType(DataType.FLOAT64, false),
                            false);
                    double plainError = relativeError(inputGradient(part, x, upstream, false), reference);
                    double channelsLastError = relativeError(inputGradient(part, x, upstream, true), reference);
                    String what = "block " + b + " " + names.get(k) + " (NCHW float32 error " + plainError + ")";
                    assertThat(plainError).as(what).isLessThan(1e-6);
                    // batch norm's channels-last kernel sums in another order: about ten times NCHW's rounding
                    assertThat(channelsLastError).as(what).isLessThan(1e-5);
                }
            }
        }
    }

    private static double[] inputGradient(Block part, NDArray x, NDArray upstream, boolean channelsLast) {
        NDArray input = x.duplicate();
        input.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray laidOut = channelsLast ? Layouts.channelsLast(input) : input;
            NDArray y = part.forward(new ParameterStore(), new NDList(laidOut), true)
                    .singletonOrThrow();
            collector.backward(y.mul(upstream).sum());
        }
        return input.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** ||actual - reference|| / ||reference||. */
    private static double relativeError(double[] actual, double[] reference) {
        double error = 0;
        double norm = 0;
        for (int i = 0; i < reference.length; i++) {
            error += (actual[i] - reference[i]) * (actual[i] - reference[i]);
            norm += reference[i] * reference[i];
        }
        assertThat(norm).isGreaterThan(0);
        return Math.sqrt(error / norm);
    }
}
