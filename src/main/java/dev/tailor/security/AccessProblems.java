package dev.tailor.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.json.JsonMapper;

/**
 * 401 and 403 as the API's other errors are: an RFC 9457 body that says what the operation needs
 * and how to get it. They are written here because the security filter answers before Spring MVC
 * (and its problem handler) sees the request.
 */
@Component
class AccessProblems implements AuthenticationEntryPoint, AccessDeniedHandler {

    static final String HOW_TO_GET_A_KEY = "send it as 'Authorization: Bearer KEY'. The first operator key is"
            + " printed when the service first starts; an operator makes more with POST /api/v1/api-keys or"
            + " './tailor keys create --role viewer|operator|agent --name NAME'";

    private final AccessPolicy policy;
    private final JsonMapper json;

    AccessProblems(AccessPolicy policy, JsonMapper json) {
        this.policy = policy;
        this.json = json;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        unauthorized(
                request,
                response,
                operation(request) + " needs " + policy.need(request).describe() + "; " + HOW_TO_GET_A_KEY);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        var authentication = SecurityContextHolder.getContext().getAuthentication();
        String who = authentication instanceof ApiKeyAuthentication key
                ? "the " + key.getPrincipal().describe()
                : "this caller";
        String detail =
                operation(request) + " needs " + policy.need(request).describe() + "; " + who + " does not allow it";
        write(request, response, HttpServletResponse.SC_FORBIDDEN, "Forbidden", "forbidden", detail, "Authorization");
    }

    /** A request the firewall refuses before anything reads it (a path with "..", "//", encoded slashes). */
    void rejected(HttpServletRequest request, HttpServletResponse response, String reason) throws IOException {
        write(
                request,
                response,
                HttpServletResponse.SC_BAD_REQUEST,
                "Bad request",
                "invalid-request",
                "the request path or headers are not acceptable: " + reason,
                "path");
    }

    /** A problem decided before MVC (the database down while a key is checked), written as MVC would. */
    void unavailable(HttpServletRequest request, HttpServletResponse response, ErrorResponseException problem)
            throws IOException {
        problem.getHeaders().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
        write(
                request,
                response,
                problem.getStatusCode().value(),
                problem.getBody().getTitle(),
                "not-ready",
                problem.getBody().getDetail(),
                "database");
    }

    void unauthorized(HttpServletRequest request, HttpServletResponse response, String detail) throws IOException {
        response.setHeader("WWW-Authenticate", "Bearer");
        write(
                request,
                response,
                HttpServletResponse.SC_UNAUTHORIZED,
                "Unauthorized",
                "unauthorized",
                detail,
                "Authorization");
    }

    private void write(
            HttpServletRequest request,
            HttpServletResponse response,
            int status,
            String title,
            String type,
            String detail,
            String field)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "urn:tailor:problem:" + type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", request.getRequestURI());
        body.put("errors", List.of(Map.of("field", field, "message", detail)));
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(json.writeValueAsString(body));
    }

    private static String operation(HttpServletRequest request) {
        return request.getMethod() + " " + request.getRequestURI();
    }
}
