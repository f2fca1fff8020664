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
        SpecializationResponse.ExpectedError error,
        SpecializationResponse.SpeedCheck speedCheck) {}
