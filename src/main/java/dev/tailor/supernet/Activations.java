package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import dev.tailor.space.Activation;

/** MobileNetV3's activations as functions of NDArrays. */
final class Activations {

    private Activations() {}

    /** relu6(x + 3) / 6. */
    static NDArray hardSigmoid(NDArray x) {
        return x.add(Scalars.of(x, 3f)).clip(0f, 6f).div(Scalars.of(x, 6f));
    }

    static NDArray hardSwish(NDArray x) {
        return x.mul(hardSigmoid(x));
    }

    static NDArray apply(Activation activation, NDArray x) {
        return switch (activation) {
            case RELU -> ai.djl.nn.Activation.relu(x);
            case HSWISH -> hardSwish(x);
        };
    }
}
