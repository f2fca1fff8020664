package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;

/** Means over several axes; DJL's PyTorch engine reduces one axis per call. */
final class Reductions {

    private Reductions() {}

    /** Global average pool of NCHW: {@code [N, C, 1, 1]}. */
    static NDArray spatialMean(NDArray x) {
        return x.mean(new int[] {3}, true).mean(new int[] {2}, true);
    }

    /** Per-channel mean of NCHW over batch and space: {@code [C]}. */
    static NDArray channelMean(NDArray x) {
        return x.mean(new int[] {3}).mean(new int[] {2}).mean(new int[] {0});
    }
}
