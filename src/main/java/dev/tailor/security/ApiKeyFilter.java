package dev.tailor.security;

import dev.tailor.api.DatabaseOutage;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads {@code Authorization: Bearer KEY} on {@code /api}. No header: the request goes on anonymous
 * (reads may be open). A header that names no working key is refused at once with 401, even where no
 * key is needed, so that a mistyped or revoked key shows up the first time it is used.
 */
final class ApiKeyFilter extends OncePerRequestFilter {

    private final ApiKeys keys;
    private final AccessProblems problems;
    private final DatabaseOutage outage;

    ApiKeyFilter(ApiKeys keys, AccessProblems problems, DatabaseOutage outage) {
        this.keys = keys;
        this.problems = problems;
        this.outage = outage;
    }

    /**
     * Outside {@code /api} everything is open (health probes, metrics, the OpenAPI document, Swagger UI):
     * a header meant for something else, such as an ingress's {@code Authorization: Basic}, must not turn
     * a probe into a 401.
     */
    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith(request.getContextPath() + "/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            authenticateAndGoOn(request, response, chain);
        } catch (RuntimeException | ServletException e) {
            // a key or an artifact looked up while the database is unreachable: 503, as MVC answers it
            if (!outage.explains(e) || response.isCommitted()) {
                throw e;
            }
            problems.unavailable(request, response, DatabaseOutage.problem());
        }
    }

    private void authenticateAndGoOn(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            chain.doFilter(request, response);
            return;
        }
        Optional<Caller> caller = bearer(header).flatMap(keys::authenticate);
        if (caller.isEmpty()) {
            problems.unauthorized(
                    request,
                    response,
                    bearer(header).isEmpty()
                            ? "the Authorization header must be 'Bearer KEY'"
                            : "the API key is not valid: it was revoked, or it was never issued here");
            return;
        }
        SecurityContextHolder.setContext(new SecurityContextImpl(new ApiKeyAuthentication(caller.get())));
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    private static Optional<String> bearer(String header) {
        if (header.length() <= 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String key = header.substring(7).trim();
        return key.isEmpty() || key.length() > 512 ? Optional.empty() : Optional.of(key);
    }
}
