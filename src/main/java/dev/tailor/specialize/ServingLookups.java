package dev.tailor.specialize;

import dev.tailor.api.Problems;
import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.DeviceRepository;
import dev.tailor.catalogue.Supernet;
import dev.tailor.space.SearchSpace;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * What a specialization request needs before it can be answered: the device, the supernet that
 * answers with its space and current predictor, and an answer given before. Each is looked up
 * through {@link RecentLookups}, so a repeated request costs no database round trip.
 */
@Component
class ServingLookups {

    /** The supernet that answers (the one asked for, or the newest ready one) with its space and predictor. */
    record Serving(Supernet supernet, SearchSpace space, PredictorStore.Loaded predictor) {}

    private final ServingSupernets serving;
    private final DeviceRepository devices;
    private final PredictorStore predictors;
    private final RecentLookups recent;

    ServingLookups(
            ServingSupernets serving, DeviceRepository devices, PredictorStore predictors, RecentLookups recent) {
        this.serving = serving;
        this.devices = devices;
        this.predictors = predictors;
        this.recent = recent;
    }

    /** The device; 404 listing the known ones when there is none by that name. */
    Device device(String name) {
        return recent.fresh(
                "device:" + name,
                () -> devices.findByName(name)
                        .orElseThrow(() -> Problems.notFound(
                                "Device",
                                "no device '" + name + "'; known devices: "
                                        + String.join(
                                                ", ",
                                                devices.findAll().stream()
                                                        .map(Device::getName)
                                                        .sorted()
                                                        .toList()),
                                "device")));
    }

    /** The supernet asked for, or the newest ready one, with its predictor; 404 or 503 when there is none. */
    Serving serving(UUID requested) {
        return recent.fresh("serving:" + requested, () -> resolve(requested));
    }

    /** As {@link #serving}, looked up now (and remembered from now on). */
    Serving servingNow(UUID requested) {
        return recent.refresh("serving:" + requested, () -> resolve(requested));
    }

    private Serving resolve(UUID requested) {
        Supernet supernet = serving.resolve(requested);
        SearchSpace space = SearchSpace.fromJson(supernet.getSpaceSpec());
        PredictorStore.Loaded predictor = predictors
                .current(supernet.getId(), space)
                .orElseThrow(() -> serving.catalogueNotReady(supernet.getId(), predictors));
        return new Serving(supernet, space, predictor);
    }

    /** The answer stored under the key, from memory when it was read before. */
    Optional<SpecializationResponse> answer(String key, Supplier<Optional<SpecializationResponse>> stored) {
        return recent.answer(key, stored);
    }
}
