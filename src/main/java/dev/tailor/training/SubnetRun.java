package dev.tailor.training;

import dev.tailor.space.SubnetConfig;

/**
 * One subnet's part of a training step.
 *
 * @param weight the scale of its gradients (DεpS's ε for the small subnets, 1 otherwise)
 * @param dropout whether the classifier's dropout applies (the largest subnet's only, in DεpS)
 */
record SubnetRun(SubnetConfig config, Target target, double weight, boolean dropout) {

    /** What the subnet learns from. */
    enum Target {
        /** Cross-entropy against smoothed labels. */
        LABELS,
        /** In-place distillation from this step's first (largest) subnet, detached. */
        IN_PLACE_TEACHER,
        /** Labels plus distillation from a frozen, trained full network (OFA's progressive shrinking). */
        LABELS_AND_FROZEN_TEACHER
    }
}
