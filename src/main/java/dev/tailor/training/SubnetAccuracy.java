package dev.tailor.training;

import dev.tailor.space.SubnetConfig;

/** Top-1 accuracy of one subnet after BN recalibration, on validation and on test. */
public record SubnetAccuracy(
        SubnetConfig config, double validationTop1, int validationImages, double testTop1, int testImages) {}
