package dev.tailor.specialize;

import dev.tailor.catalogue.LatencySource;
import dev.tailor.space.SubnetConfig;
import java.util.function.ToDoubleFunction;

/**
 * A device's best latency source for search: a fitted model (predicted) or a roofline (estimated,
 * a lower bound), with the error it is expected to make and, on host-cpu before a search on a
 * latency budget, how the host's speed compared with the model just before (null otherwise).
 */
record LatencyView(
        ToDoubleFunction<SubnetConfig> millis,
        LatencySource source,
        ExpectedError error,
        SpecializationResponse.SpeedCheck speedCheck) {

    /**
     * @param mapePercent mean absolute percentage error on held-out measured subnets; null for estimates
     * @param within10Percent share of those within +-10 %, in percent
     * @param heldOutSubnets how many measured subnets the figures come from
     * @param note in words, e.g. that a roofline estimate is a lower bound
     */
    record ExpectedError(Double mapePercent, Double within10Percent, Integer heldOutSubnets, String note) {}
}
