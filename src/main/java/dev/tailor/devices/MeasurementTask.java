package dev.tailor.devices;

import dev.tailor.catalogue.ExecutionProvider;
import io.swagger.v3.oas.annotations.media.Schema;

@Schema(description = "One thing to time on the device, with the settings to time it with.")
record MeasurementTask(
        @Schema(description = "layer:<key> or subnet:<id>") String id,

        @Schema(description = "layer or subnet") String kind,
        String layerKey,
        Long subnetId,
        String modelSha256,

        @Schema(description = "GET this for the ONNX model") String modelUrl,

        int batchSize,
        int resolution,
        int warmupRuns,
        int timedRuns,
        int threads,

        @Schema(description = "the execution provider to time with: the device's own")
        ExecutionProvider executionProvider) {}
