package dev.tailor.cost;

import dev.tailor.space.SubnetPlan;
import dev.tailor.space.SubnetPlan.Block;
import dev.tailor.space.SubnetPlan.ConvLayer;

/**
 * What a subnet costs, counted from its plan as the exported model runs it (batch 1, float32):
 *
 * <ul>
 *   <li>MACs: multiply-accumulates of convolutions and the classifier (OFA counts the same way;
 *       activations, pooling, BN and element-wise products are not counted);
 *   <li>params: weights and biases of the deployed model, where every BN is folded into its
 *       convolution's bias;
 *   <li>peak activation bytes: the largest sum of tensors alive at once while one layer runs
 *       (its input, its output and a residual block's input kept for the shortcut).
 * </ul>
 */
public record SubnetCosts(long macs, long params, long peakActivationBytes) {

    private static final int FLOAT_BYTES = 4;

    public static SubnetCosts of(SubnetPlan plan) {
        Counter counter = new Counter();
        ConvLayer stem = plan.stem();
        counter.conv(stem.inChannels(), stem.outChannels(), stem.kernel(), 1, stem.outputSize(), true);
        counter.live(act(stem.inChannels(), stem.inputSize()) + act(stem.outChannels(), stem.outputSize()));
        block(counter, plan.firstBlock());
        for (Block block : plan.blocks()) {
            block(counter, block);
        }
        SubnetPlan.HeadLayers head = plan.head();
        counter.conv(head.inChannels(), head.finalExpand(), 1, 1, head.inputSize(), true);
        counter.live(act(head.inChannels(), head.inputSize()) + act(head.finalExpand(), head.inputSize()));
        counter.conv(head.finalExpand(), head.featureMix(), 1, 1, 1, false);
        counter.conv(head.featureMix(), plan.numClasses(), 1, 1, 1, true);
        counter.live(act(head.finalExpand(), head.inputSize()) + act(head.finalExpand(), 1));
        return new SubnetCosts(counter.macs, counter.params, counter.peakFloats * FLOAT_BYTES);
    }

    private static void block(Counter counter, Block block) {
        long kept = block.residual() ? act(block.inChannels(), block.inputSize()) : 0;
        if (block.hasExpandConv()) {
            counter.conv(block.inChannels(), block.midChannels(), 1, 1, block.inputSize(), true);
            counter.live(act(block.inChannels(), block.inputSize()) + act(block.midChannels(), block.inputSize()));
        }
        counter.conv(
                block.midChannels(),
                block.midChannels(),
                block.kernel(),
                block.midChannels(),
                block.outputSize(),
                true);
        counter.live(kept + act(block.midChannels(), block.inputSize()) + act(block.midChannels(), block.outputSize()));
        if (block.se()) {
            counter.conv(block.midChannels(), block.seChannels(), 1, 1, 1, true);
            counter.conv(block.seChannels(), block.midChannels(), 1, 1, 1, true);
            counter.live(kept + 2L * act(block.midChannels(), block.outputSize()));
        }
        counter.conv(block.midChannels(), block.outChannels(), 1, 1, block.outputSize(), true);
        counter.live(
                kept + act(block.midChannels(), block.outputSize()) + act(block.outChannels(), block.outputSize()));
    }

    private static long act(int channels, int size) {
        return (long) channels * size * size;
    }

    private static final class Counter {
        long macs;
        long params;
        long peakFloats;

        /** A convolution (or, at size 1, a fully connected layer) with {@code groups} groups. */
        void conv(int in, int out, int kernel, int groups, int outputSize, boolean bias) {
            long weights = (long) out * (in / groups) * kernel * kernel;
            macs += weights * outputSize * outputSize;
            params += weights + (bias ? out : 0);
        }

        void live(long floats) {
            peakFloats = Math.max(peakFloats, floats);
        }
    }
}
