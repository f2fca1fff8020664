package dev.tailor.devices;

import io.swagger.v3.oas.annotations.media.Schema;

@Schema(
        description = "The stored measurement. The device's latencies are refitted after the response, in the"
                + " background, always by one that reads this measurement; refitQueued is false when a refit was"
                + " queued and not yet begun as this was stored (this measurement then most likely rides along).")
record MeasurementResponse(long id, String device, String layerKey, Long subnetId, double p50Ms, boolean refitQueued) {}
