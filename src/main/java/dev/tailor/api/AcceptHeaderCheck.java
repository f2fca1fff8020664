package dev.tailor.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * An {@code Accept} header that is no list of media types ({@code Accept: json}) is a 400 naming the
 * header. Left to Spring MVC it is a 406 with no body at all: with no type the client accepts, the
 * problem cannot be written either.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class AcceptHeaderCheck extends OncePerRequestFilter {

    private final JsonMapper json;

    AcceptHeaderCheck(JsonMapper json) {
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith(request.getContextPath() + "/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Enumeration<String> accepts = request.getHeaders(HttpHeaders.ACCEPT);
        while (accepts != null && accepts.hasMoreElements()) {
            String accept = accepts.nextElement();
            try {
                MediaType.parseMediaTypes(accept);
            } catch (InvalidMediaTypeException e) {
                refuse(request, response, accept);
                return;
            }
        }
        chain.doFilter(request, response);
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, String accept) throws IOException {
        String detail = "'" + accept + "' is not a list of media types: use application/json (or, for a model's"
                + " bytes, application/octet-stream), or leave the header out";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", Problems.INVALID_REQUEST.toString());
        body.put("title", "Invalid request");
        body.put("status", HttpServletResponse.SC_BAD_REQUEST);
        body.put("detail", detail);
        body.put("instance", request.getRequestURI());
        body.put("errors", List.of(Map.of("field", "Accept", "message", detail)));
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(json.writeValueAsString(body));
    }
}
