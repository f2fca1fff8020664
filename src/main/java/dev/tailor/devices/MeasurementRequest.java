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

        @Schema(description = "the task's batchSize (1); a timing at another is refused") @NotNull @Min(1) @Max(4096)
        Integer batchSize,

        @NotNull @Min(1) @Max(4096) Integer resolution,

        @NotNull @Positive @DecimalMax(value = "600000", message = "must be at most 600000 ms")
        Double p50Ms,

        @PositiveOrZero @DecimalMax("600000") Double p90Ms,
        @PositiveOrZero @DecimalMax("600000") Double meanMs,
        @PositiveOrZero @DecimalMax("600000") Double stdMs,
        @NotNull @Min(1) @Max(1000000) Integer runs,

        @Schema(description = "the task's threads (1); a timing on another count is refused")
        @NotNull
        @Min(1)
        @Max(1024)
        Integer threads,

        @NotBlank @Size(min = 1, max = 64) String runtimeVersion,

        @Schema(
                description = "the execution provider the timing ran on; must be the device's (left out: assumed so on"
                        + " a cpu device, refused on any other, since an agent that does not say times on the CPU)")
        ExecutionProvider executionProvider) {}
