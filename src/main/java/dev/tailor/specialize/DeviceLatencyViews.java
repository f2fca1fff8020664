package dev.tailor.specialize;

import dev.tailor.catalogue.Device;
import dev.tailor.latency.DeviceLatencies;
import dev.tailor.latency.DeviceLatencyModel;
import dev.tailor.space.SearchSpace;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** A device's best latency source, as the search uses it and a response states it. */
@Component
class DeviceLatencyViews {

    private final DeviceLatencies latencies;

    DeviceLatencyViews(DeviceLatencies latencies) {
        this.latencies = latencies;
    }

    Optional<LatencyView> forDevice(Device device, SearchSpace space, int classes) {
        return latencies.modelFor(device, space, classes).map(DeviceLatencyViews::view);
    }

    private static LatencyView view(DeviceLatencyModel model) {
        LatencyView.ExpectedError error = model.expectedError()
                .map(held -> new LatencyView.ExpectedError(
                        100 * held.mape(), 100 * held.within10(), held.count(), model.basis()))
                .orElseGet(() -> new LatencyView.ExpectedError(
                        null,
                        null,
                        null,
                        model.lowerBound() ? model.basis() + "; a lower bound: real runs are slower" : model.basis()));
        return new LatencyView(model::millis, model.source(), error);
    }
}
