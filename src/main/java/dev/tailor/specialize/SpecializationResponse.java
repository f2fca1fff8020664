package dev.tailor.specialize;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.OffsetDateTime;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** A tailored subnet: what was asked, what was picked and how it measured, and where its ONNX file is. */
@Schema(description = "A tailored subnet with its measured accuracy, latency, costs and ONNX artifact.")
public record SpecializationResponse(
        UUID id,
        UUID supernetId,
        String device,

        @Schema(type = "object", description = "The request as understood, defaults filled in")
        Budget budget,

        @Schema(type = "object", description = "The subnet config (canonical JSON)")
        JsonNode config,

        String configSha256,
        Accuracy accuracy,
        Latency latency,
        long macs,
        long params,
        long peakActivationBytes,

        @Schema(
                description =
                        "The constraint with the least slack: latencyMs, macs, params, memoryBytes or" + " minAccuracy")
        String bindingConstraint,

        Search search,
        Artifact artifact,
        OffsetDateTime createdAt) {

    public record Budget(
            Double latencyMs, Long macs, Long params, Long memoryBytes, Double minAccuracy, String objective) {}

    /**
     * @param predicted the accuracy predictor's estimate that the search ranked by (a fraction)
     * @param validation top-1 of the exported model on the validation split (ONNX Runtime)
     * @param test top-1 on the test split (reported only; nothing chooses by it)
     */
    public record Accuracy(double predicted, double validation, double test, int validationImages, int testImages) {}

    /**
     * @param ms batch-1 p50 on the device
     * @param source measured (timed here), predicted (the device's fitted model) or estimated (roofline)
     * @param expectedError how far the figure may be off
     */
    public record Latency(double ms, String source, LatencyView.ExpectedError expectedError, Double searchedMs) {}

    public record Search(
            String objective,
            int generations,
            int candidatesScored,
            long searchMillis,
            long totalMillis,
            long seed,
            int predictorVersion) {}

    public record Artifact(String sha256, long sizeBytes, String mediaType, String url) {}
}
