package dev.tailor.specialize;

import dev.tailor.api.AcceptNegotiation;
import dev.tailor.latency.HostDevices;
import dev.tailor.predictor.PredictorReport;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/api/v1/supernets/{supernetId}")
@Tag(name = "supernets", description = "Trained supernets and the catalogue of their subnets")
@ConditionalOnProperty(name = "tailor.api.enabled", havingValue = "true", matchIfMissing = true)
class SupernetInsightsController {

    private final SupernetInsights insights;

    SupernetInsightsController(SupernetInsights insights) {
        this.insights = insights;
    }

    @Schema(description = "The supernet's newest accuracy predictor and how it did on held-out catalogue rows.")
    record PredictorResponse(
            UUID id,
            UUID supernetId,
            int version,

            @Schema(description = "Catalogue rows it was fitted and scored on (80/20, seeded)")
            int rowsSeen,

            @Schema(description = "SHA-256 over the rows it saw (subnet ids and accuracies)")
            String rowsSha256,

            String artifactSha256,
            PredictorReport report,

            @Schema(description = "RMSE at most 1.5x the noise floor, tau at least 0.8, RMSE below the MACs fit's")
            boolean meetsTargets,

            OffsetDateTime createdAt) {}

    @GetMapping(path = "/predictor", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            operationId = "getPredictor",
            summary = "The supernet's accuracy predictor and its held-out error",
            description = "OFA's MLP on one-hot configs, fitted on a seeded 80 % of the catalogue's validation"
                    + " accuracies; RMSE (points) and Kendall tau on the other 20 %, next to the evaluation noise"
                    + " floor and a linear fit on MACs measured on the same rows. Refitted when the catalogue grows.")
    PredictorResponse predictor(@PathVariable UUID supernetId) {
        PredictorStore.Version v = insights.predictor(supernetId).version();
        PredictorReport r = v.report();
        boolean meets = r.rmsePoints() <= 1.5 * r.noiseFloorPoints()
                && r.kendallTau() >= 0.8
                && r.rmsePoints() < r.macsRmsePoints();
        return new PredictorResponse(
                v.id(),
                v.supernetId(),
                v.version(),
                v.rowsSeen(),
                v.rowsSha256(),
                v.artifactSha256(),
                r,
                meets,
                v.createdAt());
    }

    /** The plot by default; its data when JSON is asked for first. */
    private static final List<MediaType> PARETO_REPRESENTATIONS =
            List.of(MediaType.parseMediaType(ParetoPlot.MEDIA_TYPE), MediaType.APPLICATION_JSON);

    @GetMapping(
            path = "/pareto",
            produces = {ParetoPlot.MEDIA_TYPE, MediaType.APPLICATION_JSON_VALUE})
    @Operation(
            operationId = "getPareto",
            summary = "Accuracy against latency on a device: catalogue, predicted front, served picks",
            description = "An SVG by default; the same data as JSON with `Accept: application/json`. x is the"
                    + " device's latency (its best source, named on the axis) or MACs where the device has no"
                    + " latency source.")
    @ApiResponse(
            responseCode = "200",
            description = "The plot or its data",
            content = {
                @Content(mediaType = ParetoPlot.MEDIA_TYPE, schema = @Schema(type = "string")),
                @Content(
                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                        schema = @Schema(implementation = SupernetInsights.ParetoData.class))
            })
    ResponseEntity<?> pareto(
            @PathVariable UUID supernetId,
            @RequestParam(defaultValue = HostDevices.HOST_CPU) String device,
            @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        SupernetInsights.ParetoData data = insights.pareto(supernetId, device);
        if (AcceptNegotiation.choose(accept, PARETO_REPRESENTATIONS).equals(MediaType.APPLICATION_JSON)) {
            return ResponseEntity.ok()
                    .varyBy(HttpHeaders.ACCEPT)
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(data);
        }
        byte[] svg = SupernetInsights.plot(data).toSvg();
        return ResponseEntity.ok()
                .varyBy(HttpHeaders.ACCEPT)
                .contentType(MediaType.parseMediaType(ParetoPlot.MEDIA_TYPE))
                .eTag("\"" + dev.tailor.catalogue.Artifact.sha256(svg) + "\"")
                .body(svg);
    }
}
