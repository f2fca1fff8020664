package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;

/**
 * Scalar operands that outlive the backward pass.
 *
 * <p>DJL's {@code add(Number)}, {@code mul(Number)} and {@code div(Number)} wrap the number in a
 * tensor over a Java direct buffer and close it as soon as the operation returns; autograd keeps
 * that tensor for the backward pass (a product's gradient needs the other factor), and once the
 * garbage collector frees the buffer the gradient reads whatever memory comes next. Under GC
 * pressure this turned training into NaNs within a few steps. So every scalar in a differentiable
 * expression is created here, on the manager of the array it meets, and lives as long as that
 * array's manager.
 */
public final class Scalars {

    private Scalars() {}

    public static NDArray of(NDArray like, float value) {
        return like.getManager().create(value);
    }
}
