package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

/**
 * Base of the supernet's blocks. Every parameter is created at its largest shape, so a block
 * initialises without shape inference; a forward pass slices what the active subnet uses.
 */
abstract class ElasticBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    ElasticBlock() {
        super(VERSION);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Pair<String, Block> child : children) {
            child.getValue().initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + "'s output shape depends on the active subnet");
    }

    /** The parameter's array as the forward pass sees it (one device, no parameter server). */
    static NDArray value(ParameterStore store, Parameter parameter, NDArray input, boolean training) {
        return store.getValue(parameter, input.getDevice(), training);
    }

    /** Runs this block on one array; the supernet's blocks take and give exactly one. */
    NDArray apply(ParameterStore store, NDArray input, boolean training) {
        return forward(store, new NDList(input), training).singletonOrThrow();
    }
}
