package dev.tailor.specialize;

import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.ExecutionOperations;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import dev.tailor.ProcessShutdown;
import dev.tailor.api.DatabaseOutage;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an export job that threw is given next. Only the export's own failures count towards giving
 * up: db-scheduler counts every failed run, so a worker stopped twice (each stop hands its export
 * back) or a database restart of a few seconds used to make the next unforeseen error the last try,
 * and the client got a 409 "cannot be exported" for a model that could be. Hand-backs are due again
 * at once, outages wait 1.5 times longer each time (at most a minute) without counting, and the
 * export's own failures are counted in the job's data ({@link PendingExport#failedAttempts()}).
 */
class ExportFailures implements FailureHandler<String> {

    private static final Logger log = LoggerFactory.getLogger(ExportFailures.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** An export that fails this many times on its own account is given up and the failure stored. */
    static final int MAX_ATTEMPTS = 3;

    static final Duration FIRST_RETRY = Duration.ofSeconds(2);
    static final Duration MAX_OUTAGE_WAIT = Duration.ofMinutes(1);

    private final PickExporter exporter;
    private final DataSource dataSource;
    private final BooleanSupplier stopping;
    private final Consumer<String> answered;

    /**
     * @param answered told the request key once the failure is stored, so that waiting requests
     *     answer at once
     */
    ExportFailures(PickExporter exporter, DataSource dataSource, Consumer<String> answered) {
        this(exporter, dataSource, ProcessShutdown::started, answered);
    }

    ExportFailures(PickExporter exporter, DataSource dataSource, BooleanSupplier stopping, Consumer<String> answered) {
        this.exporter = exporter;
        this.dataSource = dataSource;
        this.stopping = stopping;
        this.answered = answered;
    }

    @Override
    public void onFailure(ExecutionComplete complete, ExecutionOperations<String> operations) {
        String key = complete.getExecution().taskInstance.getId();
        Throwable cause = complete.getCause().orElse(null);
        if (stopping.getAsBoolean()) {
            // ONNX Runtime or the database closed under it as the process stops: not the export's fault
            log.info("Export {} stopped by a shutdown; it is taken up again", key);
            operations.reschedule(complete, Instant.now().plus(FIRST_RETRY));
            return;
        }
        if (cause != null && DatabaseOutage.explains(cause, dataSource)) {
            Duration wait = outageWait(complete.getExecution().consecutiveFailures);
            log.warn("Export {} met the database away; trying again in {} s", key, wait.toSeconds());
            operations.reschedule(complete, Instant.now().plus(wait));
            return;
        }
        PendingExport pending =
                JSON.readValue((String) complete.getExecution().taskInstance.getData(), PendingExport.class);
        int failures = pending.failedAttempts() + 1;
        if (failures >= MAX_ATTEMPTS) {
            exporter.recordFailure(
                    key,
                    SpecializationExports.EXPORT_FAILED,
                    "it failed " + failures + " times; last: " + (cause == null ? "unknown" : cause));
            operations.stop();
            answered.accept(key);
            return;
        }
        log.warn("Export {} failed (attempt {}), trying again: {}", key, failures, cause);
        operations.reschedule(
                complete,
                Instant.now().plus(ownFailureWait(failures)),
                JSON.writeValueAsString(pending.withFailedAttempts(failures)));
    }

    /** The wait after the export's {@code failures}-th own failure: 2 s, 4 s, 8 s... */
    static Duration ownFailureWait(int failures) {
        return FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 20));
    }

    /** The wait after a database outage that follows {@code failuresBefore} failed runs in a row. */
    static Duration outageWait(int failuresBefore) {
        double millis = FIRST_RETRY.toMillis() * Math.pow(1.5, Math.min(failuresBefore, 40));
        return millis >= MAX_OUTAGE_WAIT.toMillis() ? MAX_OUTAGE_WAIT : Duration.ofMillis((long) millis);
    }
}
