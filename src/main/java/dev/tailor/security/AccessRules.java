package dev.tailor.security;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Which operation needs what, in one table that the security filter enforces and the OpenAPI
 * description documents. The first matching rule wins; an API path no rule names needs an
 * operator key for anything but reading, so a new endpoint is closed until it is placed here.
 */
final class AccessRules {

    private record Rule(HttpMethod method, PathPattern pattern, Access access) {}

    /** A matched rule with the path's variables ({@code name}, {@code sha256}). */
    record Match(Access access, Map<String, String> variables) {}

    private static final PathPatternParser PARSER = PathPatternParser.defaultInstance;

    private static final List<Rule> RULES = List.of(
            rule(HttpMethod.GET, "/api/v1/devices/{name}/tasks", Access.AGENT_OF_DEVICE),
            rule(HttpMethod.POST, "/api/v1/devices/{name}/measurements", Access.AGENT_OF_DEVICE),
            rule(HttpMethod.GET, "/api/v1/artifacts/{sha256}", Access.ARTIFACT),
            rule(null, "/api/v1/api-keys/**", Access.OPERATOR),
            // asking for a specialization is what a CI pipeline does: it counts as a read
            rule(HttpMethod.POST, "/api/v1/specializations", Access.READ),
            rule(HttpMethod.GET, "/api/**", Access.READ),
            rule(null, "/api/**", Access.OPERATOR));

    private AccessRules() {}

    private static Rule rule(HttpMethod method, String pattern, Access access) {
        return new Rule(method, PARSER.parse(pattern), access);
    }

    /**
     * The rule for a request path (context path removed); outside {@code /api} everything is open.
     * A HEAD is decided as a GET: it tells what the GET would answer (Spring MVC serves it with the GET
     * handler unless a controller maps HEAD itself, as the task list and artifacts do).
     */
    static Match match(HttpMethod method, String path) {
        HttpMethod decided = HttpMethod.HEAD.equals(method) ? HttpMethod.GET : method;
        PathContainer container = PathContainer.parsePath(path);
        for (Rule rule : RULES) {
            if (rule.method() != null && !rule.method().equals(decided)) {
                continue;
            }
            PathPattern.PathMatchInfo info = rule.pattern().matchAndExtract(container);
            if (info != null) {
                return new Match(rule.access(), info.getUriVariables());
            }
        }
        return new Match(Access.OPEN, Map.of());
    }
}
