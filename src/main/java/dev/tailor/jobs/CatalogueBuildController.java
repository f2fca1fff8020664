package dev.tailor.jobs;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.tailor.api.PageResponse;
import dev.tailor.api.Problems;
import dev.tailor.api.ProgressEvents;
import dev.tailor.catalogue.JobState;
import dev.tailor.catalogue.SupernetRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
@Validated
@RequestMapping(path = "/api/v1/supernets/{supernetId}/catalogue-builds", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "catalogue-builds", description = "Evaluating sampled subnets of a trained supernet into its catalogue")
@ConditionalOnProperty(name = "tailor.api.enabled", havingValue = "true", matchIfMissing = true)
class CatalogueBuildController {

    private final CatalogueBuildQueue queue;
    private final CatalogueBuilds builds;
    private final ProgressEvents events;
    private final SupernetRepository supernets;

    CatalogueBuildController(
            CatalogueBuildQueue queue, CatalogueBuilds builds, ProgressEvents events, SupernetRepository supernets) {
        this.queue = queue;
        this.builds = builds;
        this.events = events;
        this.supernets = supernets;
    }

    @Schema(description = "What to build; both fields may be left out.")
    record CatalogueBuildRequest(
            @Schema(
                    description = "How many subnets (default 500): the largest, the smallest, each resolution's"
                            + " extremes, the rest stratified over MACs",
                    minimum = "1",
                    maximum = "100000")
            Integer subnets,

            @Schema(description = "Seed of the sample (default 1)", minimum = "0")
            Long seed) {}

    @Schema(description = "A catalogue build and how far it got.")
    record CatalogueBuildResponse(
            UUID id,
            UUID supernetId,
            JobState state,

            @Schema(description = "Subnets the build evaluates")
            int subnets,

            long seed,

            @Schema(description = "Subnets evaluated and stored so far")
            int done,

            @Schema(
                    types = "object",
                    description = "done, total, fractionDone, subnetsPerMinute, etaSeconds, lastConfig,"
                            + " lastValidationTop1")
            @JsonRawValue
            String progress,

            String error,
            int attempts,
            OffsetDateTime createdAt,
            OffsetDateTime updatedAt) {

        static CatalogueBuildResponse of(CatalogueBuilds.Build b) {
            return new CatalogueBuildResponse(
                    b.id(),
                    b.supernetId(),
                    b.state(),
                    b.subnets(),
                    b.seed(),
                    b.done(),
                    b.progress(),
                    b.error(),
                    b.attempts(),
                    b.createdAt(),
                    b.updatedAt());
        }
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            operationId = "createCatalogueBuild",
            summary = "Start building a supernet's catalogue",
            description = "Queues a build that a worker runs: each sampled subnet is BN-recalibrated, evaluated on"
                    + " the whole validation split and stored with its costs, subnet by subnet; a build cut off by a"
                    + " crash continues where it stopped. Training queues one by itself when it finishes.")
    @ApiResponse(responseCode = "202", description = "Queued; Location names the build")
    ResponseEntity<CatalogueBuildResponse> create(
            @PathVariable UUID supernetId, @RequestBody(required = false) CatalogueBuildRequest request) {
        Integer subnets = request == null ? null : request.subnets();
        Long seed = request == null ? null : request.seed();
        if (subnets != null && (subnets < 1 || subnets > CatalogueBuildQueue.MAX_SUBNETS)) {
            throw Problems.badField("subnets", "must be between 1 and " + CatalogueBuildQueue.MAX_SUBNETS);
        }
        if (seed != null && seed < 0) {
            throw Problems.badField("seed", "must be 0 or more");
        }
        CatalogueBuilds.Build build;
        try {
            build = queue.enqueue(supernetId, subnets, seed);
        } catch (TrainedSupernets.UnusableSupernetException e) {
            throw unusable(supernetId, e);
        }
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/supernets/" + supernetId + "/catalogue-builds/" + build.id()))
                .body(CatalogueBuildResponse.of(build));
    }

    @GetMapping
    @Operation(operationId = "listCatalogueBuilds", summary = "A supernet's catalogue builds, newest first")
    PageResponse<CatalogueBuildResponse> list(
            @PathVariable UUID supernetId,
            @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int page,
            @RequestParam(defaultValue = "20") @Min(1) @Max(100) int size) {
        long total = builds.countOfSupernet(supernetId);
        // a mistyped id is a 404, as for the supernet's subnets, not an empty list
        if (total == 0 && !supernets.existsById(supernetId)) {
            throw Problems.notFound("Supernet", "no supernet " + supernetId + "; GET /api/v1/supernets lists them");
        }
        return PageResponse.of(
                builds.ofSupernet(supernetId, page, size).stream()
                        .map(CatalogueBuildResponse::of)
                        .toList(),
                page,
                size,
                total);
    }

    @GetMapping("/{buildId}")
    @Operation(operationId = "getCatalogueBuild", summary = "One catalogue build")
    CatalogueBuildResponse get(@PathVariable UUID supernetId, @PathVariable UUID buildId) {
        return CatalogueBuildResponse.of(find(supernetId, buildId));
    }

    @PostMapping("/{buildId}/cancel")
    @Operation(
            operationId = "cancelCatalogueBuild",
            summary = "Cancel a queued or running catalogue build (operator)",
            description = "The build is cancelled at once; a run under way stops after the subnet it is evaluating"
                    + " (every row stored so far stays in the catalogue). A build that finished already is 409.")
    @ApiResponse(responseCode = "200", description = "Cancelled; the build as it is now")
    @ApiResponse(
            responseCode = "409",
            description = "The build has finished (succeeded, failed or cancelled) already",
            content =
                    @io.swagger.v3.oas.annotations.media.Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    CatalogueBuildResponse cancel(@PathVariable UUID supernetId, @PathVariable UUID buildId) {
        return CatalogueBuildResponse.of(queue.cancel(supernetId, buildId));
    }

    @GetMapping(path = "/{buildId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(
            operationId = "catalogueBuildEvents",
            summary = "Server-sent progress of a catalogue build",
            description = "Event `progress` carries the build as GET returns it whenever it changes; the stream"
                    + " ends after the build finishes."
                    + " An idle stream sends a comment line every 15 s (tailor.events.heartbeat); a replica serves at"
                    + " most 100 streams at once (tailor.events.max-streams), 503 with Retry-After beyond.")
    SseEmitter events(@PathVariable UUID supernetId, @PathVariable UUID buildId) {
        find(supernetId, buildId);
        return events.stream(
                () -> CatalogueBuildResponse.of(find(supernetId, buildId)),
                build -> build.state() == JobState.SUCCEEDED
                        || build.state() == JobState.FAILED
                        || build.state() == JobState.CANCELLED);
    }

    private CatalogueBuilds.Build find(UUID supernetId, UUID buildId) {
        return builds.find(buildId)
                .filter(b -> b.supernetId().equals(supernetId))
                .orElseThrow(() -> Problems.notFound(
                        "Catalogue build",
                        "supernet " + supernetId + " has no catalogue build " + buildId + "; GET /api/v1/supernets/"
                                + supernetId + "/catalogue-builds lists them"));
    }

    private static RuntimeException unusable(UUID supernetId, TrainedSupernets.UnusableSupernetException e) {
        if (e.getMessage().startsWith("no supernet")) {
            return Problems.notFound("Supernet", "no supernet " + supernetId + "; GET /api/v1/supernets lists them");
        }
        return Problems.conflict(e.getMessage(), "supernetId");
    }
}
