package dev.tailor.specialize;

import dev.tailor.catalogue.LatencySource;
import dev.tailor.space.SubnetConfig;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * A device's best latency source for search: a fitted model (predicted) or a roofline (estimated,
 * a lower bound), with the error it is expected to make and, on host-cpu before a search on a
 * latency budget, how the host's speed compared with the model just before (null otherwise).
 *
 * @param nearPick the model's error near a config's latency, null where its held-out pairs are unknown
 */
record LatencyView(
        ToDoubleFunction<SubnetConfig> millis,
        LatencySource source,
        SpecializationResponse.ExpectedError error,
        SpecializationResponse.SpeedCheck speedCheck,
        Function<SubnetConfig, SpecializationResponse.NearPick> nearPick) {

    /** The expected error for one pick: with the model's error near it. */
    SpecializationResponse.ExpectedError errorFor(SubnetConfig pick) {
        return error.withNearPick(nearPick.apply(pick));
    }
}
