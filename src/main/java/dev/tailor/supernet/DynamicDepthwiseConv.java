package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * OFA's DynamicSeparableConv2d: one depthwise {@code [C, 1, kMax, kMax]} weight serves every
 * kernel size. A smaller kernel is the centre of the next larger one passed through a learned
 * {@code k^2 x k^2} matrix shared by the layer's channels (7 -> 5, then 5 -> 3), each initialised
 * to the identity.
 */
final class DynamicDepthwiseConv extends ElasticBlock {

    private final int maxChannels;
    private final int stride;
    /** Kernel sizes, largest first. */
    private final List<Integer> kernelsDescending;

    private final Parameter weight;
    /** {@code transforms.get(i)} maps kernel {@code kernelsDescending[i]} to {@code [i + 1]}. */
    private final List<Parameter> transforms = new ArrayList<>();

    private int activeKernel;

    DynamicDepthwiseConv(int maxChannels, List<Integer> kernels, int stride) {
        this.maxChannels = maxChannels;
        this.stride = stride;
        this.kernelsDescending = kernels.stream().sorted((a, b) -> b - a).toList();
        int maxKernel = kernelsDescending.get(0);
        this.activeKernel = maxKernel;
        double std = Math.sqrt(2.0 / ((double) maxChannels * maxKernel * maxKernel));
        weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(new NormalInitializer((float) std))
                .optShape(new Shape(maxChannels, 1, maxKernel, maxKernel))
                .build());
        for (int i = 0; i + 1 < kernelsDescending.size(); i++) {
            int target = kernelsDescending.get(i + 1);
            transforms.add(addParameter(Parameter.builder()
                    .setName(kernelsDescending.get(i) + "to" + target + "_matrix")
                    .setType(Parameter.Type.WEIGHT)
                    .optInitializer(IDENTITY)
                    .optShape(new Shape(target * target, target * target))
                    .build()));
        }
    }

    private static final Initializer IDENTITY =
            (manager, shape, dataType) -> manager.eye((int) shape.get(0)).toType(dataType, false);

    void setActiveKernel(int kernel) {
        if (!kernelsDescending.contains(kernel)) {
            throw new IllegalArgumentException("kernel " + kernel + " is not one of " + kernelsDescending);
        }
        this.activeKernel = kernel;
    }

    int maxChannels() {
        return maxChannels;
    }

    Parameter weight() {
        return weight;
    }

    List<Parameter> transforms() {
        return transforms;
    }

    /** The {@code [C, 1, k, k]} filter the active kernel uses for the first {@code channels} channels. */
    NDArray activeFilter(NDArray fullWeight, List<NDArray> matrices, int channels, int kernel, NDManager owner) {
        NDArray filter = Slices.leading(fullWeight, channels, owner);
        int size = kernelsDescending.get(0);
        for (int i = 0; size > kernel; i++) {
            int target = kernelsDescending.get(i + 1);
            int start = size / 2 - target / 2;
            NDArray centre = Slices.owned(
                    filter.get(new NDIndex(":, :, {}:{}, {}:{}", start, start + target, start, start + target)), owner);
            NDArray matrixTransposed = Slices.owned(matrices.get(i).transpose(), owner);
            // F.linear(x, M) = x M^T over the flattened k x k window, as OFA computes it
            NDArray flat = Slices.owned(centre.reshape(channels, target * target), owner);
            NDArray transformed = Slices.owned(flat.matMul(matrixTransposed), owner);
            filter = Slices.owned(transformed.reshape(channels, 1, target, target), owner);
            size = target;
        }
        return filter;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        int channels = (int) x.getShape().get(1);
        List<NDArray> matrices = new ArrayList<>();
        for (Parameter transform : transforms) {
            matrices.add(value(store, transform, x, training));
        }
        NDArray filter =
                activeFilter(value(store, weight, x, training), matrices, channels, activeKernel, x.getManager());
        int pad = activeKernel / 2;
        return Conv2d.conv2d(
                x, filter, null, new Shape(stride, stride), new Shape(pad, pad), new Shape(1, 1), channels);
    }
}
