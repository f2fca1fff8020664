package dev.tailor;

import java.time.Duration;
import org.springframework.beans.TypeMismatchException;
import org.springframework.beans.factory.UnsatisfiedDependencyException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.MethodParameter;

/**
 * A setting read by {@code @Value} whose text is not of its type ({@code TAILOR_EVENTS_MAX_STREAMS=abc}):
 * Spring reports which constructor parameter of which bean failed to convert, never which setting; this
 * names it, with what it takes.
 */
class SettingValueFailureAnalyzer extends AbstractFailureAnalyzer<TypeMismatchException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, TypeMismatchException cause) {
        String setting = setting(rootFailure);
        if (setting == null) {
            return null;
        }
        String takes = takes(cause.getRequiredType());
        return new FailureAnalysis(
                setting + " is '" + cause.getValue() + "'" + (takes == null ? ", which Tailor cannot read" : "")
                        + (takes == null ? "" : "; it takes " + takes),
                "Correct " + setting + " (or its environment variable) and start Tailor again.",
                cause);
    }

    /** The property named by the {@code @Value} of the injection point that failed, if that is what failed. */
    private static String setting(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnsatisfiedDependencyException unsatisfied && unsatisfied.getInjectionPoint() != null) {
                MethodParameter parameter = unsatisfied.getInjectionPoint().getMethodParameter();
                Value value = parameter != null
                        ? parameter.getParameterAnnotation(Value.class)
                        : unsatisfied.getInjectionPoint().getAnnotation(Value.class);
                if (value != null) {
                    return propertyOf(value.value());
                }
            }
        }
        return null;
    }

    /** {@code ${tailor.events.max-streams:100}} names {@code tailor.events.max-streams}. */
    static String propertyOf(String expression) {
        if (!expression.startsWith("${") || !expression.endsWith("}")) {
            return expression;
        }
        String inner = expression.substring(2, expression.length() - 1);
        int colon = inner.indexOf(':');
        return colon < 0 ? inner : inner.substring(0, colon);
    }

    private static String takes(Class<?> type) {
        if (type == null) {
            return null;
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == Duration.class) {
            return "a duration such as 15s, 2m or PT2M";
        }
        return null;
    }
}
