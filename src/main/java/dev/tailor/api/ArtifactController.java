package dev.tailor.api;

import dev.tailor.catalogue.ArtifactContents;
import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.catalogue.ArtifactRepository.ArtifactHeader;
import dev.tailor.onnx.OnnxExport;
import dev.tailor.training.Checkpoint;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRange;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;

/** Content-addressed bytes: the SHA-256 is the ETag, and the content under it never changes. */
@RestController
@RequestMapping("/api/v1/artifacts")
@Tag(name = "artifacts", description = "Checkpoints and ONNX models, addressed by SHA-256")
@ConditionalOnProperty(name = "tailor.api.enabled", havingValue = "true", matchIfMissing = true)
class ArtifactController {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** PredictorStore's media type (specialize depends on this package, not the other way round). */
    static final String PREDICTOR_MEDIA_TYPE = "application/vnd.tailor.accuracy-predictor";

    private final ArtifactRepository artifacts;
    private final ArtifactContents contents;

    ArtifactController(ArtifactRepository artifacts, ArtifactContents contents) {
        this.artifacts = artifacts;
        this.contents = contents;
    }

    @GetMapping("/{sha256}")
    @Operation(
            operationId = "getArtifact",
            summary = "Download an artifact (checkpoint or ONNX model) by its SHA-256",
            description = "The ETag is the SHA-256; send it back in If-None-Match to get 304 Not Modified. A"
                    + " Range header (bytes=first-last, first-, -suffix, or several) gets 206 Partial Content,"
                    + " so an interrupted download can go on where it stopped; a Range outside the artifact gets"
                    + " 416 with Content-Range: bytes */length. If-Range with another ETag gets the whole artifact.")
    @ApiResponse(
            responseCode = "200",
            description = "The bytes, as the artifact's own media type: an ONNX model, a checkpoint (a zip) or an"
                    + " accuracy predictor",
            content = {
                @Content(mediaType = OnnxExport.MEDIA_TYPE, schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = Checkpoint.MEDIA_TYPE, schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = PREDICTOR_MEDIA_TYPE, schema = @Schema(type = "string", format = "binary"))
            })
    @ApiResponse(
            responseCode = "206",
            description = "The requested byte range(s): one range in the artifact's media type with Content-Range,"
                    + " several as multipart/byteranges",
            content = {
                @Content(mediaType = OnnxExport.MEDIA_TYPE, schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = Checkpoint.MEDIA_TYPE, schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = PREDICTOR_MEDIA_TYPE, schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = "multipart/byteranges", schema = @Schema(type = "string", format = "binary"))
            })
    @ApiResponse(
            responseCode = "304",
            description = "Not modified: the client's copy is current",
            content = @Content(schema = @Schema(hidden = true)))
    ResponseEntity<?> get(@PathVariable String sha256, WebRequest request) {
        String key = validKey(sha256);
        ArtifactHeader header = header(key);
        if (notModified(key, request)) {
            return null;
        }
        // a checkpoint may be rotated away between the header and the body: that is a 404, not a failure
        byte[] content = contents.content(key, header.getMediaType())
                .orElseThrow(() -> Problems.notFound(
                        "Artifact", "artifact " + key + " was removed while it was being read (a rotated checkpoint)"));
        String range = request.getHeader(HttpHeaders.RANGE);
        if (range == null || !ifRangeHolds(key, request)) {
            return headers(key, header, request)
                    .header(HttpHeaders.ACCEPT_RANGES, "bytes")
                    .body(content);
        }
        requireSatisfiable(range, content);
        // Spring answers a Range for a Resource body: 206 with one region, or multipart/byteranges
        return headers(key, header, request).body(new ByteArrayResource(content));
    }

    /**
     * RFC 9110 13.1.5: a Range is honoured only when If-Range, if sent, names this representation. Our
     * only validator is the strong ETag (no Last-Modified), so a date or another tag means "send it all".
     */
    private static boolean ifRangeHolds(String key, WebRequest request) {
        String ifRange = request.getHeader(HttpHeaders.IF_RANGE);
        return ifRange == null || ifRange.trim().equals(etag(key));
    }

    /** Spring itself would answer a bad Range with 416 and the whole artifact as its body. */
    private static void requireSatisfiable(String range, byte[] content) {
        try {
            HttpRange.toResourceRegions(HttpRange.parseRanges(range), new ByteArrayResource(content));
        } catch (IllegalArgumentException e) {
            throw Problems.rangeNotSatisfiable(
                    "Range " + range + " cannot be served (" + e.getMessage() + "): the artifact has "
                            + content.length + " bytes; ask for bytes=first-last within 0-" + (content.length - 1)
                            + ", or bytes=first- for the rest",
                    content.length);
        }
    }

    /**
     * The headers a download would carry, from the artifact's row without its bytes: Spring answers a
     * HEAD with the GET handler, which would read a whole checkpoint out of PostgreSQL to throw it away.
     */
    @RequestMapping(path = "/{sha256}", method = RequestMethod.HEAD)
    @Operation(hidden = true)
    ResponseEntity<Void> head(@PathVariable String sha256, WebRequest request) {
        String key = validKey(sha256);
        ArtifactHeader header = header(key);
        if (notModified(key, request)) {
            return null;
        }
        return headers(key, header, request)
                .header(HttpHeaders.ACCEPT_RANGES, "bytes")
                .build();
    }

    private static String validKey(String sha256) {
        String key = sha256.toLowerCase(Locale.ROOT);
        if (!SHA256.matcher(key).matches()) {
            throw Problems.badField("sha256", "must be 64 hexadecimal digits (the artifact's SHA-256)");
        }
        return key;
    }

    private ArtifactHeader header(String key) {
        return artifacts
                .findHeader(key)
                .orElseThrow(() -> Problems.notFound("Artifact", "no artifact with SHA-256 " + key));
    }

    private static boolean notModified(String key, WebRequest request) {
        if (!request.checkNotModified(etag(key))) {
            return false;
        }
        // a 304 repeats the Cache-Control a 200 would have carried (RFC 9110 15.4.5)
        if (request instanceof ServletWebRequest servlet && servlet.getResponse() != null) {
            servlet.getResponse()
                    .setHeader(HttpHeaders.CACHE_CONTROL, cacheControl(request).getHeaderValue());
        }
        return true;
    }

    private static ResponseEntity.BodyBuilder headers(String key, ArtifactHeader header, WebRequest request) {
        return ResponseEntity.ok()
                .eTag(etag(key))
                .cacheControl(cacheControl(request))
                .contentType(MediaType.parseMediaType(header.getMediaType()))
                .contentLength(header.getSizeBytes())
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + key + extension(header) + "\"");
    }

    private static String etag(String key) {
        return '"' + key + '"';
    }

    /**
     * The bytes under a hash never change. A shared cache may keep them only when the request was
     * anonymous; one sent with a key (keyed reads, checkpoints) stays in the caller's own cache.
     */
    private static CacheControl cacheControl(WebRequest request) {
        CacheControl immutable = CacheControl.maxAge(Duration.ofDays(365)).immutable();
        return request.getHeader(HttpHeaders.AUTHORIZATION) == null
                ? immutable.cachePublic()
                : immutable.cachePrivate();
    }

    private static String extension(ArtifactHeader header) {
        return switch (header.getMediaType()) {
            case OnnxExport.MEDIA_TYPE -> ".onnx";
            case Checkpoint.MEDIA_TYPE -> ".zip";
            default -> "";
        };
    }
}
