package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Memory layouts of {@code [N, C, H, W]} activations. DJL has no memory-format call, so a layout
 * is made by copying through a reshape: the values stay, only their order in memory changes.
 */
final class Layouts {

    private Layouts() {}

    /** Off only in tests that compare the two layouts' gradients. */
    static volatile boolean channelsLastSteps = true;

    /** Whether this call records gradients for a training step (not evaluation, calibration or export). */
    static boolean trainingStep(boolean training) {
        return channelsLastSteps && training && JniUtils.isGradMode();
    }

    /** The same values laid out channels-last (the strides of NHWC). */
    static NDArray channelsLast(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 3, 1)
                .reshape(s.get(0), -1)
                .reshape(s.get(0), s.get(2), s.get(3), s.get(1))
                .transpose(0, 3, 1, 2);
    }

    /** The same values laid out contiguously (NCHW), whatever their layout was. */
    static NDArray contiguous(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), -1).reshape(s);
    }
}
