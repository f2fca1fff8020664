package dev.tailor.devices;

import io.swagger.v3.oas.annotations.media.Schema;

@Schema(
        description = "The stored measurement. The device's latencies are refitted after the response, in the"
                + " background; refitQueued is false when a refit already queued will include this measurement.")
record MeasurementResponse(long id, String device, String layerKey, Long subnetId, double p50Ms, boolean refitQueued) {}
