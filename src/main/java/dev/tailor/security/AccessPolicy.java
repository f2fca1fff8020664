package dev.tailor.security;

import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.training.Checkpoint;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.http.HttpMethod;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.stereotype.Component;

/**
 * Decides each request against {@link AccessRules}: what the operation needs, resolved for this
 * request (the device in the path, whether the artifact is a checkpoint, whether reads are open),
 * and whether the caller's key has it.
 */
@Component
class AccessPolicy implements AuthorizationManager<RequestAuthorizationContext> {

    /** What this request needs: anyone, one of some roles, or an agent key of one device. */
    record Need(boolean open, Set<Role> roles, String device) {

        static final Need ANYONE = new Need(true, Set.of(), null);

        static Need anyOf(Role... roles) {
            return new Need(false, Set.of(roles), null);
        }

        static Need agentOf(String device) {
            return new Need(false, Set.of(Role.AGENT), device);
        }

        boolean grants(Caller caller) {
            if (open) {
                return true;
            }
            if (caller == null || roles.stream().noneMatch(caller.role()::covers)) {
                return false;
            }
            return device == null || caller.role() != Role.AGENT || device.equals(caller.device());
        }

        String describe() {
            if (device != null) {
                return "an agent key bound to device '" + device + "'";
            }
            return roles.contains(Role.VIEWER) ? "a viewer or operator key" : "an operator key";
        }
    }

    private final AccessProperties properties;
    private final ArtifactRepository artifacts;
    private final UnservedMethods unservedMethods;

    AccessPolicy(AccessProperties properties, ArtifactRepository artifacts, UnservedMethods unservedMethods) {
        this.properties = properties;
        this.artifacts = artifacts;
        this.unservedMethods = unservedMethods;
    }

    @Override
    public AuthorizationResult authorize(
            Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) {
        Need need = need(context.getRequest());
        Caller caller = authentication.get() instanceof ApiKeyAuthentication key ? key.getPrincipal() : null;
        // looked at only for a refusal: a method the endpoint does not serve runs nothing, and MVC's 405 says so
        return new AuthorizationDecision(need.grants(caller) || unservedMethods.unserved(context.getRequest()));
    }

    Need need(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        AccessRules.Match match = AccessRules.match(HttpMethod.valueOf(request.getMethod()), path);
        return switch (match.access()) {
            case OPEN -> Need.ANYONE;
            case READ -> read();
            case OPERATOR -> Need.anyOf(Role.OPERATOR);
            case AGENT_OF_DEVICE -> Need.agentOf(match.variables().get("name"));
            case ARTIFACT -> artifact(match.variables().get("sha256"));
        };
    }

    private Need read() {
        return properties.reads() == AccessProperties.Reads.OPEN ? Need.ANYONE : Need.anyOf(Role.VIEWER);
    }

    private Need artifact(String sha256) {
        boolean checkpoint = artifacts
                .findHeader(sha256.toLowerCase(Locale.ROOT))
                .map(header -> Checkpoint.MEDIA_TYPE.equals(header.getMediaType()))
                .orElse(false);
        if (checkpoint) {
            return Need.anyOf(Role.OPERATOR);
        }
        // an agent fetches the models its tasks name; everyone else as for any read
        return properties.reads() == AccessProperties.Reads.OPEN ? Need.ANYONE : Need.anyOf(Role.VIEWER, Role.AGENT);
    }
}
