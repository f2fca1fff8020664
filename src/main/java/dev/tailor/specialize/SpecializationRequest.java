package dev.tailor.specialize;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.UUID;

/** A hardware budget to tailor a subnet to; at least one limit, or minAccuracy, is needed. */
@Schema(description = "A budget: at least one of latencyMs, macs, params, memoryBytes, minAccuracy.")
public record SpecializationRequest(
        @Schema(
                description = "Device the latency budget is for (default host-cpu); GET /api/v1/devices lists them",
                example = "host-cpu",
                minLength = 1,
                maxLength = 64)
        String device,

        @Schema(description = "Largest latency on the device, ms (batch 1)", example = "0.2", maximum = "100000")
        Double latencyMs,

        @Schema(description = "Largest multiply-accumulates per image", minimum = "1", maximum = "1000000000000000000")
        Long macs,

        @Schema(description = "Largest parameter count", minimum = "1", maximum = "1000000000000000000")
        Long params,

        @Schema(description = "Largest peak activation memory, bytes", minimum = "1", maximum = "1000000000000000000")
        Long memoryBytes,

        @Schema(description = "Lowest predicted validation top-1, a fraction (0.9 = 90 %)", maximum = "1")
        Double minAccuracy,

        @Schema(
                description = "accuracy (default): the most accurate subnet within the budget; latency: the"
                        + " fastest subnet reaching minAccuracy",
                allowableValues = {"accuracy", "latency"})
        String objective,

        @Schema(description = "Supernet to tailor from (default: the newest ready one)")
        UUID supernet) {}
