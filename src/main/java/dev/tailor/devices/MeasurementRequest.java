package dev.tailor.devices;

import dev.tailor.catalogue.ExecutionProvider;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

@Schema(description = "One timing an agent took with its local ONNX Runtime.")
record MeasurementRequest(
        @Schema(description = "the layer's key, for a layer task (or subnetId)") @Size(max = 512)
        String layerKey,

        @Schema(description = "the subnet's id, for a subnet task (or layerKey)") @Positive
        Long subnetId,

        @NotNull @Min(1) @Max(4096) Integer batchSize,
        @NotNull @Min(1) @Max(4096) Integer resolution,

        @NotNull @Positive @DecimalMax(value = "600000", message = "must be at most 600000 ms")
        Double p50Ms,

        @PositiveOrZero @DecimalMax("600000") Double p90Ms,
        @PositiveOrZero @DecimalMax("600000") Double meanMs,
        @PositiveOrZero @DecimalMax("600000") Double stdMs,
        @NotNull @Min(1) @Max(1000000) Integer runs,
        @NotNull @Min(1) @Max(1024) Integer threads,
        @NotBlank @Size(min = 1, max = 64) String runtimeVersion,

        @Schema(description = "the execution provider the timing ran on; must be the device's (default: assumed so)")
        ExecutionProvider executionProvider) {}
