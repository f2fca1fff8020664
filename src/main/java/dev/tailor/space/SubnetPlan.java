package dev.tailor.space;

import java.util.ArrayList;
import java.util.List;

/**
 * The layer-by-layer shape of one subnet: what the supernet runs, what the cost model counts,
 * what the exporter writes and what the latency table keys. One place, so they cannot disagree.
 */
public record SubnetPlan(
        SubnetConfig config,
        int inputChannels,
        int resolution,
        ConvLayer stem,
        Block firstBlock,
        List<Block> blocks,
        HeadLayers head,
        int numClasses) {

    /** A plain k x k convolution + BN + activation. Sizes are square: H = W. */
    public record ConvLayer(
            int inChannels,
            int outChannels,
            int kernel,
            int stride,
            int inputSize,
            int outputSize,
            Activation activation) {}

    /**
     * An inverted-residual block: 1x1 expand (absent when {@code expand == 1}), depthwise k x k,
     * optional squeeze-excite, 1x1 project, identity shortcut when shapes allow.
     */
    public record Block(
            int stage,
            int indexInStage,
            int slot,
            int inChannels,
            int midChannels,
            int outChannels,
            int kernel,
            int expand,
            int stride,
            boolean se,
            int seChannels,
            Activation activation,
            boolean residual,
            int inputSize,
            int outputSize) {

        public boolean hasExpandConv() {
            return expand != 1;
        }
    }

    /** Final 1x1 expand (+BN, h-swish), global pool, 1x1 feature mix (h-swish), classifier. */
    public record HeadLayers(int inChannels, int finalExpand, int featureMix, int inputSize) {}

    /** OFA's make_divisible(v, 8): round to a multiple of 8, never below 8 or under 90 % of v. */
    public static int makeDivisible(double value, int divisor) {
        int rounded = Math.max(divisor, (int) (value + divisor / 2.0) / divisor * divisor);
        if (rounded < 0.9 * value) {
            rounded += divisor;
        }
        return rounded;
    }

    /** Width of a block's middle (expanded) layer, as OFA's DynamicMBConvLayer computes it. */
    public static int midChannels(int inChannels, int expand) {
        return makeDivisible(Math.round(inChannels * (double) expand), 8);
    }

    /** Hidden width of squeeze-excite over {@code channels} (reduction 4). */
    public static int seChannels(int channels) {
        return makeDivisible(channels / 4, 8);
    }

    /** Spatial size after a k x k convolution with padding k/2 (k odd). */
    public static int outputSize(int inputSize, int stride) {
        return (inputSize - 1) / stride + 1;
    }

    public static SubnetPlan of(SearchSpace space, SubnetConfig config, int numClasses) {
        space.requireMember(config);
        int size = config.resolution();
        SearchSpace.Stem stemSpec = space.stem();
        int stemOut = outputSize(size, stemSpec.stride());
        ConvLayer stem = new ConvLayer(
                space.inputChannels(), stemSpec.channels(), 3, stemSpec.stride(), size, stemOut, stemSpec.activation());
        size = stemOut;

        SearchSpace.FirstBlock first = space.firstBlock();
        Block firstBlock = new Block(
                -1,
                0,
                -1,
                stemSpec.channels(),
                stemSpec.channels(),
                first.channels(),
                first.kernel(),
                1,
                1,
                false,
                0,
                first.activation(),
                stemSpec.channels() == first.channels(),
                size,
                size);

        List<Block> blocks = new ArrayList<>();
        int in = first.channels();
        int active = 0;
        for (int stage = 0; stage < space.stages().size(); stage++) {
            SearchSpace.Stage stageSpec = space.stages().get(stage);
            for (int index = 0; index < config.depths().get(stage); index++) {
                int stride = index == 0 ? stageSpec.stride() : 1;
                int expand = config.expands().get(active);
                int mid = midChannels(in, expand);
                int out = outputSize(size, stride);
                blocks.add(new Block(
                        stage,
                        index,
                        stage * space.maxDepth() + index,
                        in,
                        mid,
                        stageSpec.width(),
                        config.kernels().get(active),
                        expand,
                        stride,
                        stageSpec.se(),
                        stageSpec.se() ? seChannels(mid) : 0,
                        stageSpec.activation(),
                        stride == 1 && in == stageSpec.width(),
                        size,
                        out));
                in = stageSpec.width();
                size = out;
                active++;
            }
        }
        HeadLayers head =
                new HeadLayers(in, space.head().finalExpand(), space.head().featureMix(), size);
        return new SubnetPlan(
                config,
                space.inputChannels(),
                config.resolution(),
                stem,
                firstBlock,
                List.copyOf(blocks),
                head,
                numClasses);
    }
}
