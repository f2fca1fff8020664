package dev.tailor.api;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The API's RFC 9457 problem bodies. Every client error names the offending field and what it
 * accepts in {@code errors}, so a caller can fix the request without reading the server log.
 */
public final class Problems {

    public static final URI INVALID_REQUEST = URI.create("urn:tailor:problem:invalid-request");
    public static final URI NOT_FOUND = URI.create("urn:tailor:problem:not-found");
    public static final URI CONFLICT = URI.create("urn:tailor:problem:conflict");
    public static final URI INTERNAL = URI.create("urn:tailor:problem:internal-error");
    public static final URI UNAUTHORIZED = URI.create("urn:tailor:problem:unauthorized");
    public static final URI FORBIDDEN = URI.create("urn:tailor:problem:forbidden");
    public static final URI UNPROCESSABLE = URI.create("urn:tailor:problem:unsatisfiable");
    public static final URI UNAVAILABLE = URI.create("urn:tailor:problem:not-ready");
    public static final URI TOO_LARGE = URI.create("urn:tailor:problem:too-large");
    public static final URI RANGE_NOT_SATISFIABLE = URI.create("urn:tailor:problem:range-not-satisfiable");

    private Problems() {}

    /** The type of a problem Spring raised itself, by its status: the API's own where it has one. */
    static URI typeFor(int status) {
        return switch (status) {
            case 400 -> INVALID_REQUEST;
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            case 413 -> TOO_LARGE;
            case 416 -> RANGE_NOT_SATISFIABLE;
            case 422 -> UNPROCESSABLE;
            case 503 -> UNAVAILABLE;
            case 405 -> URI.create("urn:tailor:problem:method-not-allowed");
            case 406 -> URI.create("urn:tailor:problem:not-acceptable");
            case 415 -> URI.create("urn:tailor:problem:unsupported-media-type");
            default -> status >= 500 ? INTERNAL : URI.create("urn:tailor:problem:http-" + status);
        };
    }

    /** One field's complaint: where it is, what is wrong, and (when short) what would be right. */
    public record FieldError(String field, String message) {}

    public static ErrorResponseException badField(String field, String message) {
        return exception(invalid(List.of(new FieldError(field, message))));
    }

    public static ErrorResponseException notFound(String what, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, detail);
        problem.setType(NOT_FOUND);
        problem.setTitle(what + " not found");
        return exception(problem);
    }

    /** 404 for a thing a request names in a field of its body or query: that field is the one to fix. */
    public static ErrorResponseException notFound(String what, String detail, String field) {
        ErrorResponseException exception = notFound(what, detail);
        exception.getBody().setProperty("errors", List.of(new FieldError(field, detail)));
        return exception;
    }

    public static ErrorResponseException conflict(String detail, String field) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, detail);
        problem.setType(CONFLICT);
        problem.setTitle("Conflict");
        problem.setProperty("errors", List.of(new FieldError(field, detail)));
        return exception(problem);
    }

    /** 401: no credentials, or ones that name no one; the field is the header to fix. */
    public static ErrorResponseException unauthorized(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED, detail);
        problem.setType(UNAUTHORIZED);
        problem.setTitle("Unauthorized");
        problem.setProperty("errors", List.of(new FieldError("Authorization", detail)));
        ErrorResponseException exception = exception(problem);
        exception.getHeaders().set("WWW-Authenticate", "Bearer");
        return exception;
    }

    /** 403: valid credentials that do not allow this. */
    public static ErrorResponseException forbidden(String detail, String field) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, detail);
        problem.setType(FORBIDDEN);
        problem.setTitle("Forbidden");
        problem.setProperty("errors", List.of(new FieldError(field, detail)));
        return exception(problem);
    }

    public static ProblemDetail invalid(List<FieldError> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid: "
                        + String.join(
                                "; ",
                                errors.stream()
                                        .map(e -> e.field() + ": " + e.message())
                                        .toList());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setType(INVALID_REQUEST);
        problem.setTitle("Invalid request");
        problem.setProperties(Map.of("errors", errors));
        return problem;
    }

    /** 422: a well-formed request that cannot be met; {@code field} is what to relax, with how far. */
    public static ErrorResponseException unprocessable(
            String title, String field, String detail, Map<String, Object> extra) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, detail);
        problem.setType(UNPROCESSABLE);
        problem.setTitle(title);
        problem.setProperty("errors", List.of(new FieldError(field, detail)));
        extra.forEach(problem::setProperty);
        return exception(problem);
    }

    /** 503 with Retry-After: the service cannot answer yet (no trained supernet, a catalogue building). */
    public static ErrorResponseException unavailable(String detail, long retryAfterSeconds, Map<String, Object> extra) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, detail);
        problem.setType(UNAVAILABLE);
        problem.setTitle("Not ready yet");
        extra.forEach(problem::setProperty);
        ErrorResponseException exception = exception(problem);
        exception.getHeaders().set("Retry-After", Long.toString(retryAfterSeconds));
        return exception;
    }

    /** 416: no requested byte range lies within the artifact; Content-Range names its length. */
    public static ErrorResponseException rangeNotSatisfiable(String detail, long length) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, detail);
        problem.setType(RANGE_NOT_SATISFIABLE);
        problem.setTitle("Range not satisfiable");
        problem.setProperty("errors", List.of(new FieldError("Range", detail)));
        ErrorResponseException exception = exception(problem);
        exception.getHeaders().set(HttpHeaders.CONTENT_RANGE, "bytes */" + length);
        return exception;
    }

    /**
     * The same refusal as a new exception with a body of its own, for a second request that shares
     * another's outcome: the problem handler completes the body of the request it answers.
     */
    public static ErrorResponseException copy(ErrorResponseException refused) {
        ProblemDetail body = refused.getBody();
        ProblemDetail copy = ProblemDetail.forStatusAndDetail(refused.getStatusCode(), body.getDetail());
        copy.setType(body.getType());
        copy.setTitle(body.getTitle());
        if (body.getProperties() != null) {
            body.getProperties().forEach(copy::setProperty);
        }
        ErrorResponseException exception = new ErrorResponseException(refused.getStatusCode(), copy, null);
        exception.getHeaders().putAll(refused.getHeaders());
        return exception;
    }

    private static ErrorResponseException exception(ProblemDetail problem) {
        return new ErrorResponseException(HttpStatus.valueOf(problem.getStatus()), problem, null);
    }
}
