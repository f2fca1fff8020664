package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import dev.tailor.space.Activation;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One subnet's weights copied out of the supernet (sliced, kernels transformed) into plain
 * tensors, with an inference-only forward pass that has no elastic logic at all. It is what an
 * exported model computes, and what the supernet's own forward pass is checked against.
 */
public final class StaticSubnet implements AutoCloseable {

    /** A convolution followed by batch norm (running statistics) and an optional activation. */
    public record ConvNorm(
            NDArray weight,
            int stride,
            int groups,
            NDArray gamma,
            NDArray beta,
            NDArray mean,
            NDArray var,
            Activation activation) {}

    /** The epsilon every batch norm adds to the variance (PyTorch's default). */
    public static final float BATCH_NORM_EPSILON = DynamicBatchNorm.EPSILON;

    public record SqueezeExcite(NDArray reduceWeight, NDArray reduceBias, NDArray expandWeight, NDArray expandBias) {}

    public record Block(ConvNorm expand, ConvNorm depthwise, SqueezeExcite se, ConvNorm project, boolean residual) {}

    private final NDManager manager;
    private final SubnetPlan plan;
    private final ConvNorm stem;
    private final Block firstBlock;
    private final List<Block> blocks;
    private final ConvNorm finalExpand;
    private final NDArray featureMixWeight;
    private final NDArray classifierWeight;
    private final NDArray classifierBias;

    private StaticSubnet(
            NDManager manager,
            SubnetPlan plan,
            ConvNorm stem,
            Block firstBlock,
            List<Block> blocks,
            ConvNorm finalExpand,
            NDArray featureMixWeight,
            NDArray classifierWeight,
            NDArray classifierBias) {
        this.manager = manager;
        this.plan = plan;
        this.stem = stem;
        this.firstBlock = firstBlock;
        this.blocks = blocks;
        this.finalExpand = finalExpand;
        this.featureMixWeight = featureMixWeight;
        this.classifierWeight = classifierWeight;
        this.classifierBias = classifierBias;
    }

    /** Copies the weights {@code config} uses; the copies live on a sub-manager of {@code parent}. */
    public static StaticSubnet extract(Supernet supernet, SubnetConfig config, NDManager parent) {
        SubnetPlan plan = SubnetPlan.of(supernet.space(), config, supernet.numClasses());
        NDManager manager = parent.newSubManager();
        Copier copy = new Copier(manager);
        SubnetPlan.ConvLayer stemPlan = plan.stem();
        ConvNorm stem = copy.convNorm(
                supernet.stem().weight().getArray(),
                stemPlan.outChannels(),
                stemPlan.inChannels(),
                stemPlan.stride(),
                1,
                supernet.stemNorm(),
                stemPlan.activation());
        Block first = copy.block(supernet.firstBlock(), plan.firstBlock());
        List<Block> blocks = new ArrayList<>();
        for (SubnetPlan.Block blockPlan : plan.blocks()) {
            ElasticMBConv block = supernet.stages().get(blockPlan.stage()).get(blockPlan.indexInStage());
            blocks.add(copy.block(block, blockPlan));
        }
        SubnetPlan.HeadLayers head = plan.head();
        ConvNorm finalExpand = copy.convNorm(
                supernet.finalExpand().weight().getArray(),
                head.finalExpand(),
                head.inChannels(),
                1,
                1,
                supernet.finalExpandNorm(),
                Activation.HSWISH);
        return new StaticSubnet(
                manager,
                plan,
                stem,
                first,
                List.copyOf(blocks),
                finalExpand,
                copy.of(supernet.featureMix().weight().getArray()),
                copy.of(supernet.classifierWeight(config).getArray()),
                copy.of(supernet.classifierBias(config).getArray()));
    }

    public SubnetPlan plan() {
        return plan;
    }

    public ConvNorm stem() {
        return stem;
    }

    public Block firstBlock() {
        return firstBlock;
    }

    public List<Block> blocks() {
        return blocks;
    }

    public ConvNorm finalExpand() {
        return finalExpand;
    }

    public NDArray featureMixWeight() {
        return featureMixWeight;
    }

    public NDArray classifierWeight() {
        return classifierWeight;
    }

    public NDArray classifierBias() {
        return classifierBias;
    }

    /** Inference logits for NCHW images at the subnet's resolution. */
    public NDArray logits(NDArray images) {
        return logits(images, false);
    }

    /**
     * Logits with batch norm in training mode (batch statistics) when {@code training}: the same
     * network as a plain, non-elastic model, for measuring what elasticity costs.
     */
    public NDArray logits(NDArray images, boolean training) {
        NDArray x = convNorm(stem, images, training);
        x = block(firstBlock, x, training);
        for (Block block : blocks) {
            x = block(block, x, training);
        }
        x = Reductions.spatialMean(convNorm(finalExpand, x, training));
        x = Activations.hardSwish(Conv2d.conv2d(x, featureMixWeight).singletonOrThrow());
        x = x.reshape(x.getShape().get(0), -1);
        return Linear.linear(x, classifierWeight, classifierBias).singletonOrThrow();
    }

    private static NDArray block(Block block, NDArray input, boolean training) {
        NDArray x = input;
        if (block.expand() != null) {
            x = convNorm(block.expand(), x, training);
        }
        x = convNorm(block.depthwise(), x, training);
        if (block.se() != null) {
            SqueezeExcite se = block.se();
            NDArray squeezed = Reductions.spatialMean(x);
            NDArray hidden = ai.djl.nn.Activation.relu(
                    Conv2d.conv2d(squeezed, se.reduceWeight(), se.reduceBias()).singletonOrThrow());
            NDArray gate =
                    Conv2d.conv2d(hidden, se.expandWeight(), se.expandBias()).singletonOrThrow();
            x = x.mul(Activations.hardSigmoid(gate));
        }
        x = convNorm(block.project(), x, training);
        return block.residual() ? x.add(input) : x;
    }

    private static NDArray convNorm(ConvNorm layer, NDArray x, boolean training) {
        int kernel = (int) layer.weight().getShape().get(2);
        NDArray y = Conv2d.conv2d(
                        x,
                        layer.weight(),
                        null,
                        new Shape(layer.stride(), layer.stride()),
                        new Shape(kernel / 2, kernel / 2),
                        new Shape(1, 1),
                        layer.groups())
                .singletonOrThrow();
        y = BatchNorm.batchNorm(
                        y,
                        layer.mean(),
                        layer.var(),
                        layer.gamma(),
                        layer.beta(),
                        1,
                        DynamicBatchNorm.DJL_MOMENTUM,
                        DynamicBatchNorm.EPSILON,
                        training)
                .singletonOrThrow();
        return layer.activation() == null ? y : Activations.apply(layer.activation(), y);
    }

    /** The batch norms in forward order: stem, each block's expand (if any), depthwise and project, final expand. */
    public List<ConvNorm> convNorms() {
        List<ConvNorm> layers = new ArrayList<>(List.of(stem));
        for (Block block : concat(firstBlock, blocks)) {
            if (block.expand() != null) {
                layers.add(block.expand());
            }
            layers.add(block.depthwise());
            layers.add(block.project());
        }
        layers.add(finalExpand);
        return layers;
    }

    /**
     * The same subnet with other batch-norm running statistics, one mean and one variance per
     * {@link #convNorms()} entry in that order. It shares this subnet's weights: close it before
     * this one.
     */
    public StaticSubnet withStatistics(List<float[]> means, List<float[]> vars) {
        List<ConvNorm> layers = convNorms();
        if (means.size() != layers.size() || vars.size() != layers.size()) {
            throw new IllegalArgumentException("the subnet has " + layers.size() + " batch norms; got " + means.size()
                    + " means and " + vars.size() + " variances");
        }
        NDManager statistics = manager.newSubManager();
        Map<ConvNorm, ConvNorm> replaced = new IdentityHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            ConvNorm layer = layers.get(i);
            long channels = layer.gamma().getShape().get(0);
            if (means.get(i).length != channels || vars.get(i).length != channels) {
                throw new IllegalArgumentException("batch norm " + i + " has " + channels + " channels");
            }
            replaced.put(
                    layer,
                    new ConvNorm(
                            layer.weight(),
                            layer.stride(),
                            layer.groups(),
                            layer.gamma(),
                            layer.beta(),
                            statistics.create(means.get(i)),
                            statistics.create(vars.get(i)),
                            layer.activation()));
        }
        List<Block> newBlocks = new ArrayList<>();
        for (Block block : blocks) {
            newBlocks.add(withNorms(block, replaced));
        }
        return new StaticSubnet(
                statistics,
                plan,
                replaced.get(stem),
                withNorms(firstBlock, replaced),
                List.copyOf(newBlocks),
                replaced.get(finalExpand),
                featureMixWeight,
                classifierWeight,
                classifierBias);
    }

    private static Block withNorms(Block block, Map<ConvNorm, ConvNorm> replaced) {
        return new Block(
                block.expand() == null ? null : replaced.get(block.expand()),
                replaced.get(block.depthwise()),
                block.se(),
                replaced.get(block.project()),
                block.residual());
    }

    /** Every weight of the subnet (not the BN running statistics), e.g. to train it as a plain model. */
    public List<NDArray> weights() {
        List<NDArray> weights = new ArrayList<>();
        List<ConvNorm> layers = new ArrayList<>(List.of(stem, finalExpand));
        for (Block block : concat(firstBlock, blocks)) {
            if (block.expand() != null) {
                layers.add(block.expand());
            }
            layers.add(block.depthwise());
            layers.add(block.project());
            if (block.se() != null) {
                weights.addAll(List.of(
                        block.se().reduceWeight(),
                        block.se().reduceBias(),
                        block.se().expandWeight(),
                        block.se().expandBias()));
            }
        }
        for (ConvNorm layer : layers) {
            weights.addAll(List.of(layer.weight(), layer.gamma(), layer.beta()));
        }
        weights.addAll(List.of(featureMixWeight, classifierWeight, classifierBias));
        return weights;
    }

    private static List<Block> concat(Block first, List<Block> rest) {
        List<Block> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Copies slices into the subnet's own manager, outside any gradient graph. */
    private static final class Copier {
        private final NDManager manager;

        Copier(NDManager manager) {
            this.manager = manager;
        }

        NDArray of(NDArray source) {
            NDArray copy = source.duplicate();
            copy.attach(manager);
            return copy;
        }

        NDArray leading(Parameter parameter, int n) {
            return of(Slices.leading(parameter.getArray(), n, manager));
        }

        ConvNorm convNorm(
                NDArray weight, int out, int in, int stride, int groups, DynamicBatchNorm norm, Activation activation) {
            return new ConvNorm(
                    of(Slices.leading(weight, out, in, manager)),
                    stride,
                    groups,
                    leading(norm.gamma(), out),
                    leading(norm.beta(), out),
                    leading(norm.runningMean(), out),
                    leading(norm.runningVar(), out),
                    activation);
        }

        Block block(ElasticMBConv source, SubnetPlan.Block plan) {
            int mid = plan.midChannels();
            ConvNorm expand = plan.hasExpandConv()
                    ? convNorm(
                            source.expandConv().weight().getArray(),
                            mid,
                            plan.inChannels(),
                            1,
                            1,
                            source.expandNorm(),
                            plan.activation())
                    : null;
            DynamicDepthwiseConv depthwise = source.depthwise();
            List<NDArray> matrices = new ArrayList<>();
            for (Parameter transform : depthwise.transforms()) {
                matrices.add(transform.getArray());
            }
            NDArray filter =
                    depthwise.activeFilter(depthwise.weight().getArray(), matrices, mid, plan.kernel(), manager);
            DynamicBatchNorm depthwiseNorm = source.depthwiseNorm();
            ConvNorm dw = new ConvNorm(
                    of(filter),
                    plan.stride(),
                    mid,
                    leading(depthwiseNorm.gamma(), mid),
                    leading(depthwiseNorm.beta(), mid),
                    leading(depthwiseNorm.runningMean(), mid),
                    leading(depthwiseNorm.runningVar(), mid),
                    plan.activation());
            SqueezeExcite se = null;
            if (plan.se()) {
                DynamicSqueezeExcite block = source.squeezeExcite();
                int hidden = plan.seChannels();
                se = new SqueezeExcite(
                        of(Slices.leading(block.reduceWeight().getArray(), hidden, mid, manager)),
                        leading(block.reduceBias(), hidden),
                        of(Slices.leading(block.expandWeight().getArray(), mid, hidden, manager)),
                        leading(block.expandBias(), mid));
            }
            ConvNorm project = convNorm(
                    source.projectConv().weight().getArray(),
                    plan.outChannels(),
                    mid,
                    1,
                    1,
                    source.projectNorm(),
                    null);
            return new Block(expand, dw, se, project, plan.residual());
        }
    }
}
