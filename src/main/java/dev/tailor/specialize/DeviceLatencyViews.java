package dev.tailor.specialize;

import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.LatencySource;
import dev.tailor.latency.Roofline;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetPlan;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** A device's best latency source, as the search uses it. */
@Component
class DeviceLatencyViews {

    Optional<LatencyView> forDevice(Device device, SearchSpace space, int classes) {
        if (device.getPeakGflops() == null || device.getMemoryGbps() == null) {
            return Optional.empty();
        }
        double peak = device.getPeakGflops();
        double bandwidth = device.getMemoryGbps();
        return Optional.of(new LatencyView(
                config -> Roofline.millis(SubnetPlan.of(space, config, classes), peak, bandwidth),
                LatencySource.ESTIMATED,
                new LatencyView.ExpectedError(
                        null,
                        null,
                        null,
                        "roofline from the device's published peak compute and memory bandwidth: a lower bound,"
                                + " real runs are slower")));
    }
}
