package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.tailor.space.SubnetConfig;
import java.util.List;

/**
 * Re-estimates a subnet's batch-norm running statistics on a fixed set of training images
 * (OFA: 2,000 images in batches of 200) before the subnet is evaluated or exported: statistics
 * gathered while other subnets trained do not describe this one.
 */
public final class BatchNormCalibration {

    private BatchNormCalibration() {}

    /**
     * @param batches images at the subnet's resolution, NCHW, already normalised; the same fixed set
     *     for every subnet so that results are reproducible
     */
    public static void recalibrate(Supernet supernet, SubnetConfig config, Iterable<NDArray> batches) {
        supernet.setActiveSubnet(config);
        List<DynamicBatchNorm> norms = supernet.batchNorms();
        norms.forEach(DynamicBatchNorm::beginCalibration);
        try {
            for (NDArray batch : batches) {
                // A layer's result belongs to its input's manager: a copy of the batch in a scope of
                // its own frees each batch's activations before the next (all ten of the largest
                // subnet's held about 5 GiB of native memory at once)
                try (NDManager scope = batch.getManager().newSubManager()) {
                    NDArray input = batch.duplicate();
                    input.attach(scope);
                    supernet.logits(new ParameterStore(scope, false), input, false, false);
                }
            }
        } finally {
            norms.forEach(DynamicBatchNorm::endCalibration);
        }
    }
}
