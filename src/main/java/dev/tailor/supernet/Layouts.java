package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Memory layouts of {@code [N, C, H, W]} activations. A training step runs the network
 * channels-last (the strides of NHWC): oneDNN's depthwise kernels are several times faster on it,
 * and keeping every layer in it avoids a copy in and out around each depthwise convolution
 * (bench/results/training-profile.md). Evaluation, calibration and export stay NCHW, the layout
 * ONNX Runtime parity is checked in. The two layouts compute the same function up to float
 * rounding: against a float64 reference, every operator of a block (1x1 and depthwise
 * convolutions, batch norm, squeeze-excite) is as exact channels-last as NCHW; a whole network's
 * gradients can differ where rounding moves an activation across its kink (ReLU at 0, the hard
 * sigmoid's clip), one element in millions.
 */
final class Layouts {

    private Layouts() {}

    /** Off only in tests that compare the two layouts' gradients. */
    static volatile boolean channelsLastSteps = true;

    /** Whether this call records gradients for a training step (not evaluation, calibration or export). */
    static boolean trainingStep(boolean training) {
        return channelsLastSteps && training && JniUtils.isGradMode();
    }

    /**
     * The same values laid out channels-last. DJL has no memory-format call, so the layout is made
     * by copying through a reshape: the values stay, only their order in memory changes, and the
     * operators that follow keep the layout of their input.
     */
    static NDArray channelsLast(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 3, 1)
                .reshape(s.get(0), -1)
                .reshape(s.get(0), s.get(2), s.get(3), s.get(1))
                .transpose(0, 3, 1, 2);
    }
}
