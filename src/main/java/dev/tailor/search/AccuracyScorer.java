package dev.tailor.search;

import dev.tailor.space.SubnetConfig;
import java.util.List;

/**
 * Predicted accuracy (a fraction) of subnets, one per config in order. A search hands over each
 * generation's new configs in one call, so that a batched predictor runs once per generation.
 */
@FunctionalInterface
public interface AccuracyScorer {
    double[] score(List<SubnetConfig> configs);
}
