package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Means over several axes. DJL's PyTorch engine takes one axis per {@code mean}, but its {@code sum}
 * takes several: one reduction over height and width together is one kernel that runs along the
 * contiguous channels of a channels-last training step, where two means each walked a strided axis:
 * their sums took 3.7 % of a full-model step's operator time and 3.9 % of a sandwich step's
 * (bench/results/training-profile-2026-12-07-before-means.md), and a full-model step's forward pass
 * ran about 7 ms shorter without them (48 to 41 ms, means of three runs each; README, Benchmarks).
 */
final class Reductions {

    private Reductions() {}

    /** Global average pool of NCHW: {@code [N, C, 1, 1]}. */
    static NDArray spatialMean(NDArray x) {
        Shape s = x.getShape();
        return x.sum(new int[] {2, 3}, true).div(Scalars.of(x, (float) (s.get(2) * s.get(3))));
    }

    /** Per-channel mean of NCHW over batch and space: {@code [C]}. */
    static NDArray channelMean(NDArray x) {
        Shape s = x.getShape();
        return x.sum(new int[] {0, 2, 3}).div(Scalars.of(x, (float) (s.get(0) * s.get(2) * s.get(3))));
    }
}
