package dev.tailor.metrics;

import java.util.UUID;
import org.slf4j.MDC;

/**
 * Puts a job's id on every log line written while it runs in this thread ({@code %X{job}} in the
 * log pattern, see application.yml): lines of two jobs, or of a job and the API, stay apart.
 */
public final class JobLogContext {

    static final String KEY = "job";

    private JobLogContext() {}

    public static MDC.MDCCloseable of(String kind, UUID id) {
        return of(kind, id.toString());
    }

    public static MDC.MDCCloseable of(String kind, String id) {
        return MDC.putCloseable(KEY, " [" + kind + " " + id + "]");
    }
}
