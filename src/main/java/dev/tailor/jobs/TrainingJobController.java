package dev.tailor.jobs;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.tailor.api.PageResponse;
import dev.tailor.api.Problems;
import dev.tailor.api.ProgressEvents;
import dev.tailor.catalogue.JobState;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
@RequestMapping(path = "/api/v1/training-jobs", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "training-jobs", description = "Supernet training runs, their progress and their results")
@ConditionalOnProperty(name = "tailor.api.enabled", havingValue = "true", matchIfMissing = true)
class TrainingJobController {

    private final TrainingJobRepository jobs;
    private final TrainingJobSubmission submission;
    private final ProgressEvents events;
    private final TrainingJobCancellation cancellation;

    TrainingJobController(
            TrainingJobRepository jobs,
            TrainingJobSubmission submission,
            ProgressEvents events,
            TrainingJobCancellation cancellation) {
        this.jobs = jobs;
        this.submission = submission;
        this.events = events;
        this.cancellation = cancellation;
    }

    @Schema(description = "A training job and how far it got.")
    record TrainingJobResponse(
            UUID id,
            JobState state,
            String schedule,
            String dataset,

            @Schema(types = "object", description = "The settings, defaults filled in") @JsonRawValue
            String settings,

            @Schema(
                    types = "object",
                    description = "Epoch, step, phase, loss, images/s, ETA, device (cpu, gpu:N); accuracies when done")
            @JsonRawValue
            String progress,

            @Schema(description = "SHA-256 of the newest checkpoint artifact")
            String lastCheckpoint,

            @Schema(
                    description =
                            "Epoch (from 0) this run resumed in after a restart, if it did; a run stopped part-way through an epoch resumes in it at the step after those it kept")
            Integer resumedFromEpoch,

            int attempts,
            UUID supernetId,
            String error,
            OffsetDateTime createdAt,
            OffsetDateTime updatedAt) {

        static TrainingJobResponse of(TrainingJob job) {
            return new TrainingJobResponse(
                    job.getId(),
                    job.getState(),
                    job.getSchedule(),
                    job.getDataset(),
                    TrainingJobRunner.settingsJson(job),
                    job.getProgress(),
                    job.getLastCheckpoint(),
                    job.getResumedFromEpoch(),
                    job.getAttempts(),
                    job.getSupernetId(),
                    job.getError(),
                    job.getCreatedAt(),
                    job.getUpdatedAt());
        }
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            operationId = "createTrainingJob",
            summary = "Start training a supernet",
            description = "Everything is checked first (schedule, settings, the dataset's files); a request that"
                    + " fails stores nothing. Omitted fields take their defaults: schedule deps, batch 128, the default"
                    + " Fashion-MNIST dataset, 40 epochs (more for a small dataset: enough for 2,400 steps, at most"
                    + " 100; 6 with maxStepsPerEpoch).")
    @ApiResponse(responseCode = "202", description = "Queued; Location names the job")
    ResponseEntity<TrainingJobResponse> create(@RequestBody(required = false) TrainingJobSpec request) {
        TrainingJobSpec spec = Objects.requireNonNullElse(request, TrainingJobSpec.allDefaults(null));
        TrainingJobSpec.Prepared prepared;
        try {
            prepared = spec.prepare(System.getenv("TAILOR_DATASET_DIR"));
        } catch (TrainingJobSpec.InvalidSpecException e) {
            throw new org.springframework.web.ErrorResponseException(
                    org.springframework.http.HttpStatus.BAD_REQUEST,
                    Problems.invalid(e.problems().stream()
                            .map(p -> new Problems.FieldError(p.field(), p.message()))
                            .toList()),
                    null);
        }
        TrainingJob job = submission.submit(prepared);
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/training-jobs/" + job.getId()))
                .body(TrainingJobResponse.of(job));
    }

    @GetMapping
    @Operation(operationId = "listTrainingJobs", summary = "Training jobs, newest first")
    PageResponse<TrainingJobResponse> list(
            @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int page,
            @RequestParam(defaultValue = "20") @Min(1) @Max(PageResponse.MAX_SIZE) int size) {
        var found = jobs.findAll(PageRequest.of(page, size, Sort.by(Sort.Direction.DESC, "createdAt")));
        return PageResponse.of(found.map(TrainingJobResponse::of).getContent(), page, size, found.getTotalElements());
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getTrainingJob", summary = "One training job")
    TrainingJobResponse get(@PathVariable UUID id) {
        return TrainingJobResponse.of(find(id));
    }

    @PostMapping("/{id}/cancel")
    @Operation(
            operationId = "cancelTrainingJob",
            summary = "Cancel a queued or running training job (operator)",
            description = "The job is cancelled at once and stays so; a run under way stops at its next step"
                    + " boundary, within seconds, keeping its last checkpoint; the supernet it was training is marked"
                    + " failed and never registered. A job that finished already is 409.")
    @ApiResponse(responseCode = "200", description = "Cancelled; the job as it is now")
    @ApiResponse(
            responseCode = "409",
            description = "The job has finished (succeeded, failed or cancelled) already",
            content =
                    @io.swagger.v3.oas.annotations.media.Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    TrainingJobResponse cancel(@PathVariable UUID id) {
        return TrainingJobResponse.of(cancellation.cancel(id));
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(
            operationId = "trainingJobEvents",
            summary = "Server-sent progress of a training job",
            description = "Event `progress` carries the job as GET returns it whenever its progress or state"
                    + " changes; the stream ends after the job finishes."
                    + " An idle stream sends a comment line every 15 s (tailor.events.heartbeat); a replica serves at"
                    + " most 100 streams at once (tailor.events.max-streams), 503 with Retry-After beyond.")
    SseEmitter events(@PathVariable UUID id) {
        find(id);
        return events.stream(
                () -> TrainingJobResponse.of(find(id)),
                job -> job.state() == JobState.SUCCEEDED
                        || job.state() == JobState.FAILED
                        || job.state() == JobState.CANCELLED);
    }

    private TrainingJob find(UUID id) {
        return jobs.findById(id)
                .orElseThrow(() -> Problems.notFound(
                        "Training job", "no training job " + id + "; GET /api/v1/training-jobs lists them"));
    }
}
