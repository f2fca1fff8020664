package dev.tailor.specialize;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.tailor.InvalidSettingException;
import dev.tailor.NativeStacks;
import dev.tailor.api.Problems;
import dev.tailor.export.SubnetExporter;
import dev.tailor.metrics.JobLogContext;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Exports of searched picks as durable db-scheduler jobs on their own table: a request queues
 * its pick (one job per request key, so identical requests share it) and waits for the answer;
 * a worker replica runs the job, and a job whose worker died is taken up again by the next one.
 * Exports have their own queue and thread so that a worker training for hours still answers.
 * One-shot verbs ({@code specialize}, {@code bench}) export in their own process instead.
 */
@Component
class SpecializationExports {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static final String TASK = "specialization-export";
    static final String TABLE = "specialization_export_task";
    private static final Duration POLL = Duration.ofMillis(250);

    /** The stored failure's field for an export this worker could not do for want of the dataset. */
    static final String DATASET_UNAVAILABLE = "(dataset unavailable on the worker)";

    /** The field stored for an export that failed on the worker for reasons of its own, not the request's. */
    static final String EXPORT_FAILED = "(export failed on the worker)";

    /** What a request that waited for an export answers when the export's failure was stored. */
    static ErrorResponseException problem(String field, String detail) {
        if (DATASET_UNAVAILABLE.equals(field)) {
            // not the request's fault: the same request again tries afresh, on whichever worker takes it
            return Problems.unavailable(detail, DATASET_RETRY_SECONDS, Map.of());
        }
        if (EXPORT_FAILED.equals(field)) {
            // the service's fault (ONNX Runtime, the parity check): a 409 naming the supernet sent clients to
            // change a request that was right
            String incident = java.util.UUID.randomUUID().toString();
            org.slf4j.LoggerFactory.getLogger(SpecializationExports.class)
                    .error("Export failed on the worker, incident {}: {}", incident, detail);
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.INTERNAL_SERVER_ERROR,
                    "the pick's export failed on the worker (" + detail + "); the request is fine: send it again to"
                            + " try afresh; the log names this as incident " + incident);
            problem.setType(Problems.INTERNAL);
            problem.setTitle("Internal error");
            problem.setProperty("incident", incident);
            return new ErrorResponseException(HttpStatus.INTERNAL_SERVER_ERROR, problem, null);
        }
        return Problems.conflict("the pick cannot be exported: " + detail, field);
    }

    /** Retry-After of a 503 for an export waiting for a worker with the dataset. */
    static final long DATASET_RETRY_SECONDS = 30;

    private final PickExporter exporter;
    private final JdbcClient jdbc;
    private final boolean queued;
    private final Duration wait;
    private final int maxQueued;
    private final OneTimeTask<String> task;
    private final SchedulerClient client;
    private final Scheduler worker;
    private final Map<String, CompletableFuture<Void>> finished = new ConcurrentHashMap<>();

    /** Set as the process begins to stop: requests waiting for an export run elsewhere answer at once. */
    private volatile boolean closing;

    /** Request keys this process's export thread is exporting now; the stop lets them finish. */
    private final java.util.Set<String> exportingHere = ConcurrentHashMap.newKeySet();

    SpecializationExports(
            PickExporter exporter,
            JdbcClient jdbc,
            DataSource dataSource,
            @Value("${tailor.worker.enabled:true}") boolean workerEnabled,
            @Value("${tailor.specialization.exports:queued}") String mode,
            @Value("${tailor.specialization.wait:PT2M}") Duration wait,
            @Value("${tailor.specialization.export-heartbeat:PT2S}") Duration heartbeat,
            @Value("${tailor.specialization.max-queued-exports:20}") int maxQueued) {
        if (maxQueued < 1) {
            throw new InvalidSettingException(
                    "tailor.specialization.max-queued-exports", "must be at least 1; got " + maxQueued);
        }
        this.maxQueued = maxQueued;
        this.exporter = exporter;
        this.jdbc = jdbc;
        this.queued = switch (mode) {
            case "queued" -> true;
            case "inline" -> false;
            default ->
                throw new InvalidSettingException(
                        "tailor.specialization.exports", "must be queued or inline; got " + mode);
        };
        this.wait = wait;
        this.task = Tasks.oneTime(TASK, String.class)
                .onFailure(new ExportFailures(exporter, dataSource, this::signal))
                .execute((instance, context) -> run(instance.getData()));
        this.client = SchedulerClient.Builder.create(dataSource, task)
                .tableName(TABLE)
                .build();
        this.worker = queued && workerEnabled
                ? Scheduler.create(dataSource, task)
                        .tableName(TABLE)
                        // host and process: which process runs an export shows in the job table
                        .schedulerName(new SchedulerName.Fixed(dev.tailor.ProcessName.current()))
                        // one export at a time: each times its model on this host, alone
                        .threads(1)
                        .executorService(NativeStacks.pool("export-worker", 1))
                        .pollingInterval(Duration.ofSeconds(1))
                        .heartbeatInterval(heartbeat)
                        .missedHeartbeatsLimit(5)
                        .enableImmediateExecution()
                        // an export takes seconds: a stopping worker lets it finish
                        .shutdownMaxWait(Duration.ofSeconds(20))
                        .build()
                : null;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (worker != null) {
            worker.start();
        }
    }

    /**
     * The stop begins: a request waiting for an export that another worker runs, or that is still
     * queued, would keep the web server's graceful stop waiting for up to {@code
     * tailor.specialization.wait} (an API replica's requests, cut off unanswered when the stop's limit
     * ran out). It is answered 503 with Retry-After now instead; the export goes on where it runs, and
     * the same request again is answered from the catalogue. A request whose export this process's own
     * export thread runs waits for it, as the stop lets that export finish. The context publishes this
     * before it stops the web server, so the answers still go out.
     */
    @EventListener(ContextClosedEvent.class)
    void answerWaitersOnClose() {
        closing = true;
        // removed as they are completed: a waiter whose export this thread picks up just now waits on a new one
        finished.keySet().stream().filter(key -> !exportingHere.contains(key)).forEach(this::signal);
    }

    @PreDestroy
    void stop() {
        if (worker != null) {
            worker.stop();
        }
    }

    /**
     * Exports the pick, or waits for the export of an identical request under way, until its
     * answer is stored.
     *
     * @return whether this request's call started the export (false: another request's did)
     */
    boolean exportAndWait(PendingExport pending) {
        if (!queued) {
            try {
                exporter.exportAndStore(pending, System.getenv("TAILOR_DATASET_DIR"));
            } catch (SubnetExporter.DatasetUnavailableException e) {
                throw Problems.unavailable(waitingForDataset(e), DATASET_RETRY_SECONDS, Map.of());
            } catch (SubnetExporter.ExportException e) {
                throw Problems.conflict("the pick cannot be exported: " + e.getMessage(), e.field());
            }
            return true;
        }
        String key = pending.requestKey();
        // an earlier attempt's failure is not this attempt's: the cause may have been fixed since
        jdbc.sql("delete from specialization_export_failure where request_sha256 = ?")
                .param(key)
                .update();
        refuseWhenTheQueueIsFull(key);
        SchedulerClient queue = worker != null ? worker : client;
        boolean started =
                queue.scheduleIfNotExists(task.instance(key, JSON.writeValueAsString(pending)), Instant.now());
        awaitAnswer(key);
        return started;
    }

    /**
     * Every new budget queues an export, and a worker runs one at a time: with reads open to anyone,
     * an unbounded queue would let a few thousand distinct budgets keep the workers busy for hours.
     * A request identical to one queued waits for it whatever the queue holds; a new one past the
     * bound is 503 with Retry-After (two requests at once may both pass: the bound is about right).
     */
    void refuseWhenTheQueueIsFull(String key) {
        if (!queued) {
            return;
        }
        long queuedNow = jdbc.sql("select count(*) from " + TABLE + " where task_name = ? and task_instance <> ?")
                .params(TASK, key)
                .query(Long.class)
                .single();
        boolean identicalQueued =
                jdbc.sql("select count(*) from " + TABLE + " where task_name = ? and task_instance = ?")
                                .params(TASK, key)
                                .query(Long.class)
                                .single()
                        > 0;
        if (!identicalQueued && queuedNow >= maxQueued) {
            throw Problems.unavailable(
                    queuedNow + " exports of other budgets are queued (tailor.specialization.max-queued-exports is "
                            + maxQueued + "); send the same request again later, or a budget served before",
                    30,
                    Map.of("queuedExports", queuedNow));
        }
    }

    private void awaitAnswer(String key) {
        try {
            awaitSignalOrStoredAnswer(key);
        } finally {
            // the worker that signals may be another process (an API replica runs none): a future left
            // here would stay for good, one per request; a waiter still polling for the key loses nothing
            finished.remove(key);
        }
    }

    private void awaitSignalOrStoredAnswer(String key) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            CompletableFuture<Void> done = finished.computeIfAbsent(key, k -> new CompletableFuture<>());
            if (exporter.answered(key)) {
                return;
            }
            Optional<Map<String, String>> failure = failure(key);
            if (failure.isPresent()) {
                throw problem(failure.get().get("field"), failure.get().get("detail"));
            }
            if (closing && !exportingHere.contains(key)) {
                throw stopping(key);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("export", state(key));
                throw Problems.unavailable(
                        "the model is still being exported (" + extra.get("export") + "); send the same request"
                                + " again: it is answered as soon as the export is stored",
                        10,
                        extra);
            }
            try {
                done.get(Math.min(left, POLL.toNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // not finished in this process: look in the database, another worker may have finished it
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw stopping(key);
            }
        }
    }

    private ErrorResponseException stopping(String key) {
        String detail = "this server is stopping while the model is exported; send the same request again: it is"
                + " answered as soon as the export is stored";
        try {
            return Problems.unavailable(detail, 10, Map.of("export", state(key)));
        } catch (RuntimeException stateUnknown) {
            // the database may be going too: the answer does not depend on the export's state
            return Problems.unavailable(detail, 10, Map.of());
        }
    }

    private void run(String data) {
        PendingExport pending = JSON.readValue(data, PendingExport.class);
        exportingHere.add(pending.requestKey());
        try (var ignored = JobLogContext.of("export", pending.requestKey().substring(0, 12))) {
            try {
                exporter.exportAndStore(pending, System.getenv("TAILOR_DATASET_DIR"));
            } catch (SubnetExporter.DatasetUnavailableException e) {
                exporter.recordFailure(pending.requestKey(), DATASET_UNAVAILABLE, waitingForDataset(e));
            } catch (SubnetExporter.ExportException e) {
                exporter.recordFailure(pending.requestKey(), e.field(), e.getMessage());
            }
        } finally {
            exportingHere.remove(pending.requestKey());
            if (closing) {
                // an export the stop broke goes back on the queue: its waiter answers 503 now
                signal(pending.requestKey());
            }
        }
        signal(pending.requestKey());
    }

    private static String waitingForDataset(SubnetExporter.DatasetUnavailableException e) {
        return "the pick waits for a worker that can read the supernet's dataset: " + dev.tailor.ProcessName.current()
                + " cannot (" + e.getMessage() + "); send the same request again";
    }

    /** Requests of this process waiting for an export now. */
    int waiting() {
        return finished.size();
    }

    private void signal(String key) {
        CompletableFuture<Void> done = finished.remove(key);
        if (done != null) {
            done.complete(null);
        }
    }

    private Optional<Map<String, String>> failure(String key) {
        return jdbc.sql("select field, detail from specialization_export_failure where request_sha256 = ?")
                .param(key)
                .query((rs, row) -> Map.of("field", rs.getString(1), "detail", rs.getString(2)))
                .optional();
    }

    /** queued, running or retrying, as the job table has it now. */
    private String state(String key) {
        return jdbc.sql("select picked, coalesce(consecutive_failures, 0) from " + TABLE
                        + " where task_name = ? and task_instance = ?")
                .params(TASK, key)
                .query((rs, row) ->
                        rs.getBoolean(1) ? "running" : rs.getInt(2) > 0 ? "retrying after a failure" : "queued")
                .optional()
                .orElse("finishing");
    }
}
