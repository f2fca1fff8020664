package dev.tailor.specialize;

import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.LatencySource;
import dev.tailor.latency.DeviceLatencies;
import dev.tailor.latency.DeviceLatencyModel;
import dev.tailor.latency.HeldOutPairs;
import dev.tailor.latency.HostDevices;
import dev.tailor.latency.HostSpeedCheck;
import dev.tailor.space.SearchSpace;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** A device's best latency source, as the search uses it and a response states it. */
@Component
class DeviceLatencyViews {

    private final DeviceLatencies latencies;
    private final HostSpeedCheck speedCheck;
    private final boolean timesExportsHere;

    /**
     * @param workerEnabled whether this process runs queued work, exports among it
     * @param exports {@code inline} where this process exports its own requests (one-shot verbs)
     */
    DeviceLatencyViews(
            DeviceLatencies latencies,
            HostSpeedCheck speedCheck,
            @Value("${tailor.worker.enabled:true}") boolean workerEnabled,
            @Value("${tailor.specialization.exports:queued}") String exports) {
        this.latencies = latencies;
        this.speedCheck = speedCheck;
        // an API replica that runs no work (Helm) may sit on another node than the workers that time
        // the files: its own speed says nothing about theirs
        this.timesExportsHere = workerEnabled || "inline".equals(exports);
    }

    /** The device's model as stored (plots, listings). */
    Optional<LatencyView> forDevice(Device device, SearchSpace space, int classes) {
        return latencies.modelFor(device, space, classes).map(model -> view(model, null, 1));
    }

    /**
     * The model a search on a latency budget works with: on host-cpu, where the pick is timed at
     * export, checked against the host's speed now and scaled when the host has drifted beyond the
     * tolerance, in a process that times exports itself; elsewhere as stored.
     */
    Optional<LatencyView> forLatencySearch(Device device, SearchSpace space, int classes) {
        Optional<DeviceLatencyModel> stored = latencies.modelFor(device, space, classes);
        if (stored.isEmpty()
                || !timesExportsHere
                || !device.getName().equals(HostDevices.HOST_CPU)
                || stored.get().source() != LatencySource.PREDICTED) {
            return stored.map(model -> view(model, null, 1));
        }
        DeviceLatencyModel model = stored.get();
        HostSpeedCheck.Result checked = speedCheck.check(space, classes, model::millis);
        HostSpeedCheck.Variation moved = speedCheck.variation(space, classes, model::millis);
        SpecializationResponse.SpeedCheck speed = new SpecializationResponse.SpeedCheck(
                checked.measuredOverPredicted(),
                checked.references(),
                checked.fastestRound(),
                checked.slowestRound(),
                checked.applied(),
                checked.tolerance(),
                checked.waitedSeconds(),
                checked.ageSeconds(),
                checked.slowEpisodeRatio());
        LatencyView view = view(model, speed, checked.factor());
        SpecializationResponse.HostVariation variation = SpecializationResponse.HostVariation.of(
                moved.percent(),
                moved.passes(),
                moved.episodes(),
                moved.slowestEpisode(),
                moved.minutes(),
                view.error().modelPercent());
        return Optional.of(new LatencyView(
                view.millis(), view.source(), view.error().withHostVariation(variation), speed, view.nearPick()));
    }

    private static LatencyView view(DeviceLatencyModel model, SpecializationResponse.SpeedCheck speed, double factor) {
        SpecializationResponse.ExpectedError error = model.expectedError()
                .map(held -> new SpecializationResponse.ExpectedError(
                        100 * held.mape(), 100 * held.within10(), held.count(), model.basis(), null, null))
                .orElseGet(() -> new SpecializationResponse.ExpectedError(
                        null,
                        null,
                        null,
                        // the roofline's basis says it is a lower bound already
                        model.basis(),
                        null,
                        null));
        return new LatencyView(
                factor == 1 ? model::millis : config -> factor * model.millis(config),
                model.source(),
                error,
                speed,
                config -> model.errorNear(config)
                        .map(DeviceLatencyViews::nearPick)
                        .orElse(null));
    }

    private static SpecializationResponse.NearPick nearPick(HeldOutPairs.Near near) {
        return new SpecializationResponse.NearPick(
                near.count(), near.fromMs(), near.toMs(), 100 * near.mape(), 100 * near.bias(), 100 * near.worst());
    }
}
