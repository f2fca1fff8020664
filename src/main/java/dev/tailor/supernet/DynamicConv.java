package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * A dense k x k convolution whose weight is {@code [maxOut, maxIn, k, k]}; a forward pass uses
 * {@code weight[:out, :in]} with {@code in} taken from the input and {@code out} set by the
 * active subnet (OFA's DynamicConv2d).
 */
final class DynamicConv extends ElasticBlock {

    private final int maxOut;
    private final int kernel;
    private final int stride;
    private final Parameter weight;
    private final Parameter bias;
    private int activeOut;

    private DynamicConv(Builder builder) {
        this.maxOut = builder.outChannels;
        this.kernel = builder.kernel;
        this.stride = builder.stride;
        this.activeOut = maxOut;
        // OFA initialises convolutions with Kaiming normal over fan-out.
        double std = Math.sqrt(2.0 / ((double) maxOut * kernel * kernel));
        this.weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(new NormalInitializer((float) std))
                .optShape(new Shape(maxOut, builder.inChannels, kernel, kernel))
                .build());
        this.bias = builder.bias
                ? addParameter(Parameter.builder()
                        .setName("bias")
                        .setType(Parameter.Type.BIAS)
                        .optShape(new Shape(maxOut))
                        .build())
                : null;
    }

    static Builder builder() {
        return new Builder();
    }

    void setActiveOut(int outChannels) {
        if (outChannels > maxOut) {
            throw new IllegalArgumentException(outChannels + " output channels exceed " + maxOut);
        }
        this.activeOut = outChannels;
    }

    int maxOut() {
        return maxOut;
    }

    Parameter weight() {
        return weight;
    }

    Parameter bias() {
        return bias;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        int in = (int) x.getShape().get(1);
        NDArray w = Slices.leading(value(store, weight, x, training), activeOut, in, x.getManager());
        NDArray b = bias == null ? null : Slices.leading(value(store, bias, x, training), activeOut, x.getManager());
        if (kernel == 1 && stride == 1 && Layouts.trainingStep(training)) {
            return new NDList(pointwise(x, w, b));
        }
        return Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(kernel / 2, kernel / 2), new Shape(1, 1), 1);
    }

    /**
     * A 1x1 convolution of a channels-last activation as the matrix product it is. libtorch 2.7.1's
     * own 1x1 convolution of channels-last input returns wrong values on some CPUs (an AMD EPYC with
     * AVX-512 VP2INTERSECT and BF16 here: 240 to 40 channels off by 60 % of the output's range, 16 to
     * 48 right; {@code DynamicConvTest} keeps the check); the product is right on every layout, and on
     * channels-last memory the flattening is a view, so it costs no copy. One fused {@code linear}
     * (addmm) rather than a matMul and an add saves the sum's separate output tensor every step.
     */
    static NDArray pointwise(NDArray x, NDArray w, NDArray b) {
        Shape s = x.getShape();
        long n = s.get(0);
        long h = s.get(2);
        long width = s.get(3);
        long out = w.getShape().get(0);
        NDArray rows = x.transpose(0, 2, 3, 1).reshape(n * h * width, s.get(1));
        // a full-width weight is the parameter's own array: its reshape would go to the supernet's manager
        NDArray y = Linear.linear(rows, Slices.owned(w.reshape(out, s.get(1)), x.getManager()), b)
                .singletonOrThrow();
        return y.reshape(n, h, width, out).transpose(0, 3, 1, 2);
    }

    static final class Builder {
        private int inChannels;
        private int outChannels;
        private int kernel = 1;
        private int stride = 1;
        private boolean bias;

        Builder setChannels(int inChannels, int outChannels) {
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            return this;
        }

        Builder optKernel(int kernel) {
            this.kernel = kernel;
            return this;
        }

        Builder optStride(int stride) {
            this.stride = stride;
            return this;
        }

        Builder optBias(boolean bias) {
            this.bias = bias;
            return this;
        }

        DynamicConv build() {
            if (inChannels < 1 || outChannels < 1) {
                throw new IllegalArgumentException("setChannels is required");
            }
            return new DynamicConv(this);
        }
    }
}
