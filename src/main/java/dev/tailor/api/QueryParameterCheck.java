package dev.tailor.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * A query parameter the operation does not take is a 400 naming it and the ones it does take. Left
 * alone it was ignored: {@code ?maxLatency=15} for {@code maxLatencyMs} listed every subnet, and a
 * script that took the first row got one outside its budget.
 */
@Configuration(proxyBeanMethods = false)
class QueryParameterCheck implements WebMvcConfigurer, HandlerInterceptor {

    private static final DefaultParameterNameDiscoverer NAMES = new DefaultParameterNameDiscoverer();

    private final Map<java.lang.reflect.Method, Set<String>> taken = new ConcurrentHashMap<>();

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/api/**");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        // the API's own operations only: actuator and springdoc take parameters of their own
        if (!(handler instanceof HandlerMethod method)
                || !method.getBeanType().getPackageName().startsWith("dev.tailor")) {
            return true;
        }
        Set<String> known = taken.computeIfAbsent(method.getMethod(), m -> names(method));
        List<String> unknown = queryNames(request.getQueryString()).stream()
                .filter(name -> !known.contains(name))
                .toList();
        if (!unknown.isEmpty()) {
            String allowed = known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known));
            throw Problems.badField(
                    unknown.get(0),
                    "not a query parameter of this operation (it takes: " + allowed + "); a misspelt filter would"
                            + " otherwise be ignored");
        }
        return true;
    }

    private static Set<String> names(HandlerMethod method) {
        Set<String> names = new LinkedHashSet<>();
        for (MethodParameter parameter : method.getMethodParameters()) {
            RequestParam param = parameter.getParameterAnnotation(RequestParam.class);
            if (param == null) {
                continue;
            }
            String name = param.name();
            if (name.isEmpty()) {
                parameter.initParameterNameDiscovery(NAMES);
                name = parameter.getParameterName();
            }
            if (name != null) {
                names.add(name);
            }
        }
        return Set.copyOf(names);
    }

    /** The names in a raw query string, decoded, in order, each once. */
    static List<String> queryNames(String query) {
        if (query == null || query.isEmpty()) {
            return List.of();
        }
        Set<String> names = new LinkedHashSet<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String raw = equals < 0 ? pair : pair.substring(0, equals);
            try {
                names.add(URLDecoder.decode(raw, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                names.add(raw);
            }
        }
        return List.copyOf(names);
    }
}
