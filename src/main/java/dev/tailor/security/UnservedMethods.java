package dev.tailor.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

/**
 * Whether a request names an endpoint that exists but not with its method ({@code PUT
 * /api/v1/specializations}). Such a request runs nothing, so the security filter lets it through and
 * Spring MVC answers 405 with {@code Allow}; refused first, a CI pipeline with a viewer key would be
 * told to get an operator key for a method no key can use.
 */
@Component
class UnservedMethods {

    private final ObjectProvider<HandlerMapping> controllers;

    UnservedMethods(@Qualifier("requestMappingHandlerMapping") ObjectProvider<HandlerMapping> controllers) {
        this.controllers = controllers;
    }

    boolean unserved(HttpServletRequest request) {
        HandlerMapping mapping = controllers.getIfAvailable();
        if (mapping == null) {
            return false;
        }
        // the filter runs before the dispatcher has parsed the path, which the mapping's lookup reads
        boolean parsedHere = !ServletRequestPathUtils.hasParsedRequestPath(request);
        if (parsedHere) {
            ServletRequestPathUtils.parseAndCache(request);
        }
        try {
            mapping.getHandler(request);
            return false;
        } catch (HttpRequestMethodNotSupportedException e) {
            return true;
        } catch (Exception e) {
            return false;
        } finally {
            if (parsedHere) {
                ServletRequestPathUtils.clearParsedRequestPath(request);
            }
        }
    }
}
