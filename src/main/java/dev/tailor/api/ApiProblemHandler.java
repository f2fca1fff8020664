package dev.tailor.api;

import dev.tailor.ProcessShutdown;
import dev.tailor.api.Problems.FieldError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import org.springframework.web.util.DisconnectedClientHelper;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * Turns every failure into a problem body (RFC 9457) that names the field at fault and what it
 * accepts. Nothing a client sends may produce a 5xx or a stack trace in the response.
 */
@RestControllerAdvice
class ApiProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiProblemHandler.class);

    private final DatabaseOutage outage;

    ApiProblemHandler(DatabaseOutage outage) {
        this.outage = outage;
    }

    /**
     * Spring's own problems (an unknown path, a method or media type the endpoint does not take) come
     * typed {@code about:blank}: they get this API's type for their status, so that a client can tell
     * them apart by type as it does the API's own.
     */
    @Override
    protected ResponseEntity<Object> createResponseEntity(
            Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        if (body instanceof ProblemDetail problem
                && (problem.getType() == null
                        || "about:blank".equals(problem.getType().toString()))) {
            problem.setType(Problems.typeFor(statusCode.value()));
        }
        return super.createResponseEntity(body, headers, statusCode, request);
    }

    @Override
    protected ResponseEntity<Object> handleNoResourceFoundException(
            NoResourceFoundException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ErrorResponseException notFound = Problems.notFound(
                "Endpoint",
                "no endpoint at " + ex.getHttpMethod() + " /" + ex.getResourcePath()
                        + "; /v3/api-docs and Swagger UI (/swagger-ui.html) list them");
        return problem(notFound.getBody(), headers);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = ex.getBindingResult().getFieldErrors().stream()
                .map(e -> new FieldError(e.getField(), e.getDefaultMessage()))
                .sorted(java.util.Comparator.comparing(FieldError::field))
                .toList();
        return problem(Problems.invalid(errors), headers);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = new ArrayList<>();
        for (ParameterValidationResult result : ex.getParameterValidationResults()) {
            String name = result.getMethodParameter().getParameterName();
            for (MessageSourceResolvable error : result.getResolvableErrors()) {
                errors.add(new FieldError(name, error.getDefaultMessage()));
            }
        }
        return problem(Problems.invalid(errors), headers);
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(
            TypeMismatchException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String field = ex.getPropertyName() == null ? "parameter" : ex.getPropertyName();
        String message = "'" + ex.getValue() + "' is not " + describe(ex.getRequiredType());
        return problem(Problems.invalid(List.of(new FieldError(field, message))), headers);
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(
            MissingServletRequestParameterException ex,
            HttpHeaders headers,
            HttpStatusCode status,
            WebRequest request) {
        FieldError error = new FieldError(ex.getParameterName(), "is required (" + ex.getParameterType() + ")");
        return problem(Problems.invalid(List.of(error)), headers);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof RequestSizeLimit.BodyTooLarge) {
                ProblemDetail problem =
                        ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, cause.getMessage());
                problem.setType(Problems.TOO_LARGE);
                problem.setTitle("Request body too large");
                problem.setProperty("errors", List.of(new FieldError("body", cause.getMessage())));
                return problem(problem, headers);
            }
        }
        return problem(Problems.invalid(List.of(unreadable(ex))), headers);
    }

    /** Raised by {@code @Validated} controllers' method proxies (before MVC's own validation sees the call). */
    @ExceptionHandler(jakarta.validation.ConstraintViolationException.class)
    ResponseEntity<Object> handleConstraintViolation(jakarta.validation.ConstraintViolationException ex) {
        List<FieldError> errors = ex.getConstraintViolations().stream()
                .map(violation -> {
                    String path = violation.getPropertyPath().toString();
                    // "list.page": the method's name, then the parameter's
                    return new FieldError(path.substring(path.lastIndexOf('.') + 1), violation.getMessage());
                })
                .sorted(java.util.Comparator.comparing(FieldError::field))
                .toList();
        return problem(Problems.invalid(errors), new HttpHeaders());
    }

    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<Object> handleUndecodableQuery(InvalidParameterException ex) {
        FieldError error = new FieldError("query", "is not a valid percent-encoded query string (write % as %25)");
        return problem(Problems.invalid(List.of(error)), new HttpHeaders());
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<Object> handleConflict(DataIntegrityViolationException ex) {
        // A concurrent request won the race for a unique key; the row it wrote stays as it is.
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.CONFLICT, "The request conflicts with data stored at the same time; read it and retry.");
        problem.setType(Problems.CONFLICT);
        problem.setTitle("Conflict");
        return problem(problem, new HttpHeaders());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> handleUnexpected(Exception ex) {
        if (DisconnectedClientHelper.isClientDisconnectedException(ex)) {
            // a download or stream the client left: no incident, and no 500 written over a started 200
            log.debug("Client went away: {}", ex.toString());
            return null;
        }
        if (outage.explains(ex)) {
            log.warn("Database unreachable: {}", ex.getMessage());
            ErrorResponseException unavailable = DatabaseOutage.problem();
            return problem(unavailable.getBody(), unavailable.getHeaders());
        }
        if (ProcessShutdown.started()) {
            // native engines close as the process stops: another replica, or this one restarted, answers
            log.info("Request failed while the service stops: {}", ex.toString());
            ErrorResponseException unavailable =
                    Problems.unavailable("the service is stopping; send the same request again", 10, Map.of());
            return problem(unavailable.getBody(), unavailable.getHeaders());
        }
        String incident = UUID.randomUUID().toString();
        log.error("Unexpected failure, incident {}", incident, ex);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "The server failed to handle this request; the log names it as incident " + incident + ".");
        problem.setType(Problems.INTERNAL);
        problem.setTitle("Internal error");
        problem.setProperty("incident", incident);
        return problem(problem, new HttpHeaders());
    }

    private static ResponseEntity<Object> problem(ProblemDetail problem, HttpHeaders headers) {
        return ResponseEntity.status(problem.getStatus()).headers(headers).body(problem);
    }

    private static FieldError unreadable(HttpMessageNotReadableException ex) {
        Throwable cause = ex.getMostSpecificCause();
        JacksonException jackson = findJackson(ex);
        if (jackson == null) {
            String message = ex.getMessage() != null && ex.getMessage().startsWith("Required request body is missing")
                    ? "a JSON body is required"
                    : "is not readable JSON";
            return new FieldError("body", message);
        }
        String field = path(jackson);
        if (jackson instanceof UnrecognizedPropertyException unknown) {
            String known = unknown.getKnownPropertyIds() == null
                    ? ""
                    : "; known fields: "
                            + unknown.getKnownPropertyIds().stream()
                                    .map(Object::toString)
                                    .sorted()
                                    .collect(Collectors.joining(", "));
            return new FieldError(field, "is not a known field" + known);
        }
        if (jackson instanceof ValueInstantiationException && cause instanceof IllegalArgumentException) {
            return new FieldError(field, cause.getMessage());
        }
        if (jackson instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return new FieldError(field, "must be " + describe(mismatch.getTargetType()));
        }
        if (jackson instanceof StreamReadException read) {
            String where = read.getLocation() == null
                    ? ""
                    : " at line " + read.getLocation().getLineNr() + ", column "
                            + read.getLocation().getColumnNr();
            return new FieldError(field, "is not well-formed JSON" + where + ": " + read.getOriginalMessage());
        }
        return new FieldError(field, "could not be read: " + jackson.getOriginalMessage());
    }

    private static JacksonException findJackson(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof JacksonException jackson) {
                return jackson;
            }
        }
        return null;
    }

    private static String path(JacksonException ex) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : ex.getPath()) {
            if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    static String describe(Class<?> type) {
        if (type == null) {
            return "of the expected type";
        }
        if (type.isEnum()) {
            return "one of "
                    + Arrays.stream(type.getEnumConstants())
                            .map(c -> c.toString().toLowerCase(java.util.Locale.ROOT))
                            .collect(Collectors.joining(", "));
        }
        if (type == UUID.class) {
            return "a UUID such as 3f2c5e0a-8a9b-4c1d-9e2f-1a2b3c4d5e6f";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return "a JSON array";
        }
        return "a JSON object (see the API spec for its fields)";
    }
}
