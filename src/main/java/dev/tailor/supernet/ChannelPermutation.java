package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;

/**
 * A reordering of one parameter's channels along one axis. Whoever keeps state shaped like the
 * parameter (an optimizer's momentum) must reorder it the same way.
 */
public record ChannelPermutation(Parameter parameter, int axis, int[] order) {

    /** {@code array} reordered along {@code axis}: result[..., i, ...] = array[..., order[i], ...]. */
    public NDArray apply(NDArray array) {
        String selector = axis == 0 ? "{}" : ":, {}";
        try (NDArray positions = array.getManager().create(order);
                NDArray index = positions.toType(ai.djl.ndarray.types.DataType.INT64, false)) {
            return array.get(new NDIndex(selector, index));
        }
    }

    /** Reorders {@code array} in place (its identity and gradient flag stay). */
    public void applyInPlace(NDArray array) {
        NDArray reordered = apply(array);
        array.set(new NDIndex(":"), reordered);
        reordered.close();
    }
}
