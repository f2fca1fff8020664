package dev.tailor.latency;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.List;

/**
 * Whole subnets of a space as ONNX models, written as the exporter writes them but with the fresh,
 * seeded weights of a new supernet: what timing needs, since latency depends on shapes, not on
 * values. The export feature provides it (latency must not depend on export).
 */
@FunctionalInterface
public interface SubnetModels {

    /** One model per config, in order. */
    List<byte[]> randomWeights(SearchSpace space, int classes, List<SubnetConfig> configs);
}
