package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/** Weight slicing: the leading channels of a larger tensor, as OFA's dynamic layers take them. */
final class Slices {

    private Slices() {}

    /** {@code array[:n]}, or the array itself when it is no larger. */
    static NDArray leading(NDArray array, int n) {
        return array.getShape().get(0) == n ? array : array.get(new NDIndex(":{}", n));
    }

    /** {@code array[:rows, :cols]}. */
    static NDArray leading(NDArray array, int rows, int cols) {
        if (array.getShape().get(0) == rows && array.getShape().get(1) == cols) {
            return array;
        }
        return array.get(new NDIndex(":{}, :{}", rows, cols));
    }
}
