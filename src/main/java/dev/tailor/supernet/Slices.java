package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Weight slicing: the leading channels of a larger tensor, as OFA's dynamic layers take them.
 *
 * <p>A slice is a new array, and DJL gives an operation's result to its receiver's manager: the
 * weight's, which lives as long as the supernet. Each slice is therefore handed to {@code owner}
 * (the manager of the activations it meets) so that it is released with them.
 */
final class Slices {

    private Slices() {}

    /** {@code array[:n]}, or the array itself when it is no larger. */
    static NDArray leading(NDArray array, int n, NDManager owner) {
        if (array.getShape().get(0) == n) {
            return array;
        }
        return owned(array.get(new NDIndex(":{}", n)), owner);
    }

    /** {@code array[:rows, :cols]}. */
    static NDArray leading(NDArray array, int rows, int cols, NDManager owner) {
        if (array.getShape().get(0) == rows && array.getShape().get(1) == cols) {
            return array;
        }
        return owned(array.get(new NDIndex(":{}, :{}", rows, cols)), owner);
    }

    static NDArray owned(NDArray array, NDManager owner) {
        array.attach(owner);
        return array;
    }
}
