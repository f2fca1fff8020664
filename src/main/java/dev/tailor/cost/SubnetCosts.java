package dev.tailor.cost;

import dev.tailor.space.SubnetPlan;
import dev.tailor.space.SubnetPlan.Block;
import dev.tailor.space.SubnetPlan.ConvLayer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a subnet costs, counted from its plan as the exported model runs it (batch 1, float32):
 *
 * <ul>
 *   <li>MACs: multiply-accumulates of convolutions and the classifier (OFA counts the same way;
 *       activations, pooling, BN and element-wise products are not counted);
 *   <li>params: weights and biases of the deployed model, where every BN is folded into its
 *       convolution's bias;
 *   <li>peak activation bytes: the largest total of tensors alive while one node of the exported
 *       graph runs (produced by then and still to be read, the input image and the logits
 *       included, no buffer shared between tensors), walking the nodes in the exported order.
 * </ul>
 *
 * The node sequence here mirrors the exporter's graph node for node; a test recounts all three
 * figures from exported ONNX files.
 */
public record SubnetCosts(long macs, long params, long peakActivationBytes) {

    private static final int FLOAT_BYTES = 4;

    public static SubnetCosts of(SubnetPlan plan) {
        Counter counter = walk(plan);
        return new SubnetCosts(counter.macs, counter.params, counter.peakFloats(counter.output) * FLOAT_BYTES);
    }

    /**
     * The same counts split into the layers a latency table keys (stem, each block, head), with
     * the bytes each one reads and writes: its input and output activations and its weights.
     */
    public record LayerCost(long macs, long params, long bytesMoved) {}

    public static List<LayerCost> layers(SubnetPlan plan) {
        return walk(plan).layers;
    }

    private static Counter walk(SubnetPlan plan) {
        Counter counter = new Counter();
        ConvLayer stem = plan.stem();
        int x = counter.input(act(stem.inChannels(), stem.inputSize()));
        x = counter.conv(x, stem.inChannels(), stem.outChannels(), stem.kernel(), 1, stem.outputSize(), true);
        x = counter.elementwise(x);
        counter.closeLayer(act(stem.inChannels(), stem.inputSize()), act(stem.outChannels(), stem.outputSize()));
        x = block(counter, x, plan.firstBlock());
        for (Block block : plan.blocks()) {
            x = block(counter, x, block);
        }
        long headInput = act(plan.head().inChannels(), plan.head().inputSize());
        SubnetPlan.HeadLayers head = plan.head();
        x = counter.conv(x, head.inChannels(), head.finalExpand(), 1, 1, head.inputSize(), true);
        x = counter.elementwise(x);
        x = counter.node(head.finalExpand(), x); // global average pool
        x = counter.conv(x, head.finalExpand(), head.featureMix(), 1, 1, 1, false);
        x = counter.elementwise(x);
        x = counter.elementwise(x); // flatten
        x = counter.conv(x, head.featureMix(), plan.numClasses(), 1, 1, 1, true);
        counter.closeLayer(headInput, plan.numClasses());
        counter.output = x;
        return counter;
    }

    private static int block(Counter counter, int input, Block block) {
        int x = input;
        if (block.hasExpandConv()) {
            x = counter.conv(x, block.inChannels(), block.midChannels(), 1, 1, block.inputSize(), true);
            x = counter.elementwise(x);
        }
        x = counter.conv(
                x,
                block.midChannels(),
                block.midChannels(),
                block.kernel(),
                block.midChannels(),
                block.outputSize(),
                true);
        x = counter.elementwise(x);
        if (block.se()) {
            int pooled = counter.node(block.midChannels(), x);
            int hidden = counter.conv(pooled, block.midChannels(), block.seChannels(), 1, 1, 1, true);
            hidden = counter.elementwise(hidden);
            int gate = counter.conv(hidden, block.seChannels(), block.midChannels(), 1, 1, 1, true);
            gate = counter.elementwise(gate);
            x = counter.node(act(block.midChannels(), block.outputSize()), x, gate);
        }
        x = counter.conv(x, block.midChannels(), block.outChannels(), 1, 1, block.outputSize(), true);
        int out = block.residual() ? counter.node(act(block.outChannels(), block.outputSize()), x, input) : x;
        counter.closeLayer(act(block.inChannels(), block.inputSize()), act(block.outChannels(), block.outputSize()));
        return out;
    }

    private static long act(int channels, int size) {
        return (long) channels * size * size;
    }

    /** MACs and parameters as nodes are added, and every tensor's size, maker and last reader. */
    private static final class Counter {
        long macs;
        long params;
        int output;
        final List<LayerCost> layers = new ArrayList<>();
        private long macsBefore;
        private long paramsBefore;
        private final List<Long> floats = new ArrayList<>();
        private final List<Integer> madeAt = new ArrayList<>();
        private final List<Integer> lastReadAt = new ArrayList<>();
        private int nodes;

        /** Ends a layer group: what it computed since the last one, and what it moved. */
        void closeLayer(long inputFloats, long outputFloats) {
            long layerParams = params - paramsBefore;
            layers.add(new LayerCost(
                    macs - macsBefore, layerParams, (inputFloats + outputFloats + layerParams) * FLOAT_BYTES));
            macsBefore = macs;
            paramsBefore = params;
        }

        int input(long size) {
            return tensor(size, -1);
        }

        /** A convolution (or, at size 1, a fully connected layer) with {@code groups} groups. */
        int conv(int x, int in, int out, int kernel, int groups, int outputSize, boolean bias) {
            long weights = (long) out * (in / groups) * kernel * kernel;
            macs += weights * outputSize * outputSize;
            params += weights + (bias ? out : 0);
            return node(act(out, outputSize), x);
        }

        /** A node whose output has its input's size (activation, flatten). */
        int elementwise(int x) {
            return node(floats.get(x), x);
        }

        int node(long outputFloats, int... inputs) {
            for (int input : inputs) {
                lastReadAt.set(input, nodes);
            }
            return tensor(outputFloats, nodes++);
        }

        private int tensor(long size, int node) {
            floats.add(size);
            madeAt.add(node);
            lastReadAt.add(node);
            return floats.size() - 1;
        }

        long peakFloats(int output) {
            lastReadAt.set(output, nodes);
            long peak = 0;
            for (int node = 0; node < nodes; node++) {
                long live = 0;
                for (int t = 0; t < floats.size(); t++) {
                    if (madeAt.get(t) <= node && lastReadAt.get(t) >= node) {
                        live += floats.get(t);
                    }
                }
                peak = Math.max(peak, live);
            }
            return peak;
        }
    }
}
