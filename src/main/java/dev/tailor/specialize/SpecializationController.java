package dev.tailor.specialize;

import dev.tailor.api.AcceptNegotiation;
import dev.tailor.api.PageResponse;
import dev.tailor.api.Problems;
import dev.tailor.catalogue.ArtifactContents;
import dev.tailor.onnx.OnnxExport;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Validated
@RequestMapping(path = "/api/v1/specializations")
@Tag(name = "specializations", description = "A budget in, a searched, exported and checked ONNX subnet out")
@ConditionalOnProperty(name = "tailor.api.enabled", havingValue = "true", matchIfMissing = true)
class SpecializationController {

    private final Specializer specializer;
    private final SpecializationQuery query;
    private final ArtifactContents contents;

    /** JSON by default (curl's {@code *}{@code /*} included); the model's bytes when asked for by either type. */
    private static final List<MediaType> REPRESENTATIONS = List.of(
            MediaType.APPLICATION_JSON,
            MediaType.APPLICATION_OCTET_STREAM,
            MediaType.parseMediaType(OnnxExport.MEDIA_TYPE));

    SpecializationController(Specializer specializer, SpecializationQuery query, ArtifactContents contents) {
        this.specializer = specializer;
        this.query = query;
        this.contents = contents;
    }

    @PostMapping(
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = {
                MediaType.APPLICATION_JSON_VALUE,
                MediaType.APPLICATION_OCTET_STREAM_VALUE,
                OnnxExport.MEDIA_TYPE
            })
    @Operation(
            operationId = "createSpecialization",
            summary = "Tailor a subnet to a budget",
            description = "Searches the newest ready supernet (or `supernet`) for the most accurate subnet within the"
                    + " budget (objective accuracy) or the fastest reaching minAccuracy (objective latency), exports"
                    + " it to ONNX, checks it in ONNX Runtime against the supernet and measures its accuracy and"
                    + " host latency: 201. The same request again is answered from the catalogue: 200. With `Accept:"
                    + " application/octet-stream` (or application/vnd.onnx) the body is the ONNX file itself (ETag, Content-Disposition,"
                    + " X-Tailor-Config-Sha256). The export is a durable job that a worker runs (a worker that"
                    + " dies leaves it to the next one); the request waits for it up to tailor.specialization.wait"
                    + " (2 minutes), then answers 503 with Retry-After and the export's state, and the same request"
                    + " again is answered once it is stored; a replica that begins to stop answers so at once (unless"
                    + " its own export thread runs the export, which the stop lets finish). Identical new budgets at"
                    + " once are searched once per replica: the others get its answer (200) or its refusal. Infeasible budgets are 422 with the closest reachable"
                    + " value; not ready yet is 503 with Retry-After and progress. A new budget is refused 503 with"
                    + " Retry-After before it is searched while 20 exports of other budgets wait"
                    + " (tailor.specialization.max-queued-exports) or while every search slot of the replica stays"
                    + " busy for 5 s (one per core, tailor.specialization.max-concurrent-searches).")
    @ApiResponse(
            responseCode = "201",
            description = "Tailored now: searched, exported and checked",
            headers = {
                @Header(
                        name = "Location",
                        description = "/api/v1/specializations/{id}",
                        schema = @Schema(type = "string")),
                @Header(
                        name = "X-Tailor-Config-Sha256",
                        description = "SHA-256 of the subnet's canonical config",
                        schema = @Schema(type = "string")),
                @Header(
                        name = "X-Tailor-From-Catalogue",
                        description = "false: tailored by this request",
                        schema = @Schema(type = "string")),
                @Header(
                        name = "ETag",
                        description = "With the ONNX bytes: the file's SHA-256, quoted",
                        schema = @Schema(type = "string"))
            },
            content = {
                @Content(
                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                        schema = @Schema(implementation = SpecializationResponse.class)),
                @Content(
                        mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
                        schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = OnnxExport.MEDIA_TYPE, schema = @Schema(type = "string", format = "binary"))
            })
    @ApiResponse(
            responseCode = "200",
            description = "The same request answered before, from the catalogue (no search, no export)",
            headers = {
                @Header(
                        name = "Location",
                        description = "/api/v1/specializations/{id}",
                        schema = @Schema(type = "string")),
                @Header(
                        name = "X-Tailor-Config-Sha256",
                        description = "SHA-256 of the subnet's canonical config",
                        schema = @Schema(type = "string")),
                @Header(
                        name = "X-Tailor-From-Catalogue",
                        description = "true: answered from the catalogue",
                        schema = @Schema(type = "string")),
                @Header(
                        name = "ETag",
                        description = "With the ONNX bytes: the file's SHA-256, quoted",
                        schema = @Schema(type = "string"))
            },
            content = {
                @Content(
                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                        schema = @Schema(implementation = SpecializationResponse.class)),
                @Content(
                        mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
                        schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = OnnxExport.MEDIA_TYPE, schema = @Schema(type = "string", format = "binary"))
            })
    @ApiResponse(
            responseCode = "503",
            description = "Not ready yet (a supernet training, a catalogue building, an export still running) or"
                    + " busy (the export queue full, every search slot taken): ask again after Retry-After seconds;"
                    + " the body says what it waits for",
            headers =
                    @Header(name = "Retry-After", description = "Seconds to wait", schema = @Schema(type = "integer")),
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    ResponseEntity<?> create(
            // optional to Spring, so that a missing body gets the budget's own 400 naming the fields
            @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true) @RequestBody(required = false)
                    SpecializationRequest request,
            @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        Specializer.Answer answer = specializer.specialize(request);
        SpecializationResponse response = answer.response();
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(
                        answer.fromCatalogue() ? HttpStatus.OK : HttpStatus.CREATED)
                .location(URI.create("/api/v1/specializations/" + response.id()))
                .header("X-Tailor-From-Catalogue", Boolean.toString(answer.fromCatalogue()))
                .header("X-Tailor-Config-Sha256", response.configSha256());
        builder.header(HttpHeaders.VARY, HttpHeaders.ACCEPT);
        MediaType representation = AcceptNegotiation.choose(accept, REPRESENTATIONS);
        if (representation.equals(MediaType.APPLICATION_JSON)) {
            return builder.contentType(MediaType.APPLICATION_JSON).body(response);
        }
        byte[] bytes = contents.content(
                        response.artifact().sha256(), response.artifact().mediaType())
                .orElseThrow(() -> Problems.notFound("Artifact", "the model's artifact is gone; ask again"));
        return builder.eTag("\"" + response.artifact().sha256() + "\"")
                .header(
                        HttpHeaders.CONTENT_DISPOSITION,
                        "attachment; filename=\"tailor-" + response.device() + "-"
                                + response.configSha256().substring(0, 12) + ".onnx\"")
                .contentType(representation)
                .body(bytes);
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getSpecialization", summary = "One specialization")
    SpecializationResponse get(@PathVariable UUID id) {
        return specializer
                .find(id)
                .orElseThrow(() -> Problems.notFound(
                        "Specialization", "no specialization " + id + "; GET /api/v1/specializations lists them"));
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listSpecializations", summary = "Specializations served, newest first")
    PageResponse<SpecializationResponse> list(
            @RequestParam(required = false) String device,
            @RequestParam(required = false) UUID supernet,
            @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int page,
            @RequestParam(defaultValue = "20") @Min(1) @Max(100) int size) {
        return query.page(device, supernet, page, size);
    }
}
