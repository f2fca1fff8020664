package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.tailor.space.Activation;
import dev.tailor.space.SubnetPlan;
import java.util.List;

/**
 * An elastic inverted-residual block (OFA's DynamicMBConvLayer): 1x1 expand, BN, activation,
 * depthwise k x k, BN, activation, optional squeeze-excite, 1x1 project, BN, and an identity
 * shortcut when stride and widths allow. The active kernel and expand ratio pick slices of
 * weights sized for the largest of each.
 */
final class ElasticMBConv extends ElasticBlock {

    private final int inChannels;
    private final int outChannels;
    private final Activation activation;
    private final boolean residual;

    private final DynamicConv expandConv;
    private final DynamicBatchNorm expandNorm;
    private final DynamicDepthwiseConv depthwise;
    private final DynamicBatchNorm depthwiseNorm;
    private final DynamicSqueezeExcite squeezeExcite;
    private final DynamicConv projectConv;
    private final DynamicBatchNorm projectNorm;

    private int activeExpand;

    ElasticMBConv(
            int inChannels,
            int outChannels,
            List<Integer> kernels,
            List<Integer> expands,
            int stride,
            boolean se,
            Activation activation) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.activation = activation;
        this.residual = stride == 1 && inChannels == outChannels;
        int maxExpand = expands.stream().mapToInt(Integer::intValue).max().orElseThrow();
        this.activeExpand = maxExpand;
        int maxMid = maxExpand == 1 ? inChannels : SubnetPlan.midChannels(inChannels, maxExpand);
        if (maxExpand == 1) {
            expandConv = null;
            expandNorm = null;
        } else {
            expandConv = addChildBlock(
                    "expand",
                    DynamicConv.builder().setChannels(inChannels, maxMid).build());
            expandNorm = addChildBlock("expandNorm", new DynamicBatchNorm(maxMid));
        }
        depthwise = addChildBlock("depthwise", new DynamicDepthwiseConv(maxMid, kernels, stride));
        depthwiseNorm = addChildBlock("depthwiseNorm", new DynamicBatchNorm(maxMid));
        squeezeExcite = se ? addChildBlock("se", new DynamicSqueezeExcite(maxMid)) : null;
        projectConv = addChildBlock(
                "project",
                DynamicConv.builder().setChannels(maxMid, outChannels).build());
        projectNorm = addChildBlock("projectNorm", new DynamicBatchNorm(outChannels));
    }

    void setActive(int kernel, int expand) {
        depthwise.setActiveKernel(kernel);
        this.activeExpand = expand;
        if (expandConv != null) {
            expandConv.setActiveOut(SubnetPlan.midChannels(inChannels, expand));
        }
    }

    int inChannels() {
        return inChannels;
    }

    int outChannels() {
        return outChannels;
    }

    int activeExpand() {
        return activeExpand;
    }

    boolean residual() {
        return residual;
    }

    DynamicConv expandConv() {
        return expandConv;
    }

    DynamicBatchNorm expandNorm() {
        return expandNorm;
    }

    DynamicDepthwiseConv depthwise() {
        return depthwise;
    }

    DynamicBatchNorm depthwiseNorm() {
        return depthwiseNorm;
    }

    DynamicSqueezeExcite squeezeExcite() {
        return squeezeExcite;
    }

    DynamicConv projectConv() {
        return projectConv;
    }

    DynamicBatchNorm projectNorm() {
        return projectNorm;
    }

    Activation activation() {
        return activation;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray y = x;
        if (expandConv != null) {
            y = Activations.apply(activation, expandNorm.apply(store, expandConv.apply(store, y, training), training));
        }
        y = Activations.apply(activation, depthwiseNorm.apply(store, depthwise.apply(store, y, training), training));
        if (squeezeExcite != null) {
            y = squeezeExcite.apply(store, y, training);
        }
        y = projectNorm.apply(store, projectConv.apply(store, y, training), training);
        return new NDList(residual ? y.add(x) : y);
    }
}
