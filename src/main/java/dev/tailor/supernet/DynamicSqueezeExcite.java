package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.tailor.space.SubnetPlan;

/**
 * Squeeze-excite over however many channels arrive (OFA's DynamicSE): its hidden width is
 * {@code make_divisible(C / 4, 8)} of the active channel count, and both 1x1 convolutions are
 * sliced to match. The gate is a hard sigmoid.
 */
final class DynamicSqueezeExcite extends ElasticBlock {

    private final Parameter reduceWeight;
    private final Parameter reduceBias;
    private final Parameter expandWeight;
    private final Parameter expandBias;

    DynamicSqueezeExcite(int maxChannels) {
        int maxHidden = SubnetPlan.seChannels(maxChannels);
        reduceWeight = addParameter(conv("reduceWeight", maxHidden, maxChannels));
        reduceBias = addParameter(Parameter.builder()
                .setName("reduceBias")
                .setType(Parameter.Type.BIAS)
                .optShape(new Shape(maxHidden))
                .build());
        expandWeight = addParameter(conv("expandWeight", maxChannels, maxHidden));
        expandBias = addParameter(Parameter.builder()
                .setName("expandBias")
                .setType(Parameter.Type.BIAS)
                .optShape(new Shape(maxChannels))
                .build());
    }

    private static Parameter conv(String name, int out, int in) {
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(new NormalInitializer((float) Math.sqrt(2.0 / out)))
                .optShape(new Shape(out, in, 1, 1))
                .build();
    }

    Parameter reduceWeight() {
        return reduceWeight;
    }

    Parameter reduceBias() {
        return reduceBias;
    }

    Parameter expandWeight() {
        return expandWeight;
    }

    Parameter expandBias() {
        return expandBias;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        int channels = (int) x.getShape().get(1);
        int hidden = SubnetPlan.seChannels(channels);
        NDArray squeezed = Reductions.spatialMean(x);
        NDArray reduced = Conv2d.conv2d(
                        squeezed,
                        Slices.leading(value(store, reduceWeight, x, training), hidden, channels, x.getManager()),
                        Slices.leading(value(store, reduceBias, x, training), hidden, x.getManager()))
                .singletonOrThrow();
        NDArray gate = Conv2d.conv2d(
                        Activation.relu(reduced),
                        Slices.leading(value(store, expandWeight, x, training), channels, hidden, x.getManager()),
                        Slices.leading(value(store, expandBias, x, training), channels, x.getManager()))
                .singletonOrThrow();
        return new NDList(x.mul(Activations.hardSigmoid(gate)));
    }
}
