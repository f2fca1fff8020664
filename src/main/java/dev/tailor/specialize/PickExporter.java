package dev.tailor.specialize;

import dev.tailor.export.SubnetExporter;
import dev.tailor.metrics.WorkEvents;
import dev.tailor.space.SubnetConfig;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body of an export job: exports a searched pick through the checked export path (BN
 * recalibration, ONNX Runtime parity, validation and test accuracy, host timing) and stores the
 * answer under the request's key. Run again for the same key it does nothing, so a job taken up
 * after its worker died, or queued twice, stores one answer.
 */
@Component
class PickExporter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SubnetExporter exporter;
    private final JdbcClient jdbc;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;

    PickExporter(
            SubnetExporter exporter,
            JdbcClient jdbc,
            ApplicationEventPublisher events,
            TransactionTemplate transactions) {
        this.exporter = exporter;
        this.jdbc = jdbc;
        this.events = events;
        this.transactions = transactions;
    }

    /**
     * Exports the pick and stores its answer, unless one is stored already.
     *
     * @throws SubnetExporter.ExportException the pick cannot be exported as asked
     */
    void exportAndStore(PendingExport pending, String datasetEnvironment) {
        // one transaction: an export that dies part-way leaves no artifact, exported subnet or answer
        // behind (PostgreSQL rolls back a dead connection's transaction), and the lock makes a second
        // run for the same key (a job revived while its first worker still ran) wait, then do nothing
        transactions.executeWithoutResult(status -> {
            jdbc.sql("select pg_advisory_xact_lock(hashtextextended(?, 0))")
                    .param(pending.requestKey())
                    .query()
                    .singleRow();
            if (!answered(pending.requestKey())) {
                exportAndStoreLocked(pending, datasetEnvironment);
            }
        });
    }

    private void exportAndStoreLocked(PendingExport pending, String datasetEnvironment) {
        long exportStarted = System.nanoTime();
        SubnetConfig config = SubnetConfig.parse(pending.config());
        // host-cpu's expectation for the file: the latency the search worked with, else the model's figure
        SpecializationResponse.Latency expected = pending.latency();
        double expectedHostMillis = !pending.latencyMeasuredAtExport() || expected == null
                ? 0
                : expected.searchedMs() != null ? expected.searchedMs() : expected.ms();
        SubnetExporter.Exported exported =
                exporter.export(pending.supernetId(), config, datasetEnvironment, expectedHostMillis);
        events.publishEvent(
                new WorkEvents.SpecializationAnswered(false, pending.searchNanos(), System.nanoTime() - exportStarted));
        SpecializationResponse.Latency latency = pending.latency();
        if (pending.latencyMeasuredAtExport() && latency != null) {
            latency = new SpecializationResponse.Latency(
                    exported.hostLatency().p50Ms(),
                    latency.source(),
                    latency.expectedError(),
                    latency.searchedMs(),
                    latency.speedCheck(),
                    exported.timedInSlowEpisode(),
                    null);
        }
        SpecializationResponse.Search search = pending.search();
        UUID id = UUID.randomUUID();
        String sha = exported.sha256();
        SpecializationResponse response = new SpecializationResponse(
                id,
                pending.supernetId(),
                pending.device(),
                pending.budget(),
                JSON.readTree(pending.config()),
                config.sha256(),
                new SpecializationResponse.Accuracy(
                        pending.predictedAccuracy(),
                        exported.onnxValidationTop1(),
                        exported.accuracy().testTop1(),
                        exported.accuracy().validationImages(),
                        exported.accuracy().testImages()),
                latency,
                exported.costs().macs(),
                exported.costs().params(),
                exported.costs().peakActivationBytes(),
                pending.bindingConstraint(),
                new SpecializationResponse.Search(
                        search.objective(),
                        search.generations(),
                        search.candidatesScored(),
                        search.searchMillis(),
                        Math.max(0, System.currentTimeMillis() - pending.requestedAtMillis()),
                        search.seed(),
                        search.predictorVersion()),
                new SpecializationResponse.Artifact(
                        sha, exported.bytes().length, "application/vnd.onnx", "/api/v1/artifacts/" + sha),
                OffsetDateTime.now().withNano(0));
        // a second run for the same key (a job taken up again) keeps the first answer
        jdbc.sql("insert into specialization (id, request_sha256, supernet_id, device_id, subnet_id, onnx_sha256,"
                        + " request, response) values (?, ?, ?, ?, (select id from subnet where supernet_id = ? and"
                        + " config_sha256 = ?), ?, ?::jsonb, ?::jsonb) on conflict (request_sha256) do nothing")
                .params(
                        id,
                        pending.requestKey(),
                        pending.supernetId(),
                        pending.deviceId(),
                        pending.supernetId(),
                        config.sha256(),
                        sha,
                        JSON.writeValueAsString(pending.budget()),
                        JSON.writeValueAsString(response))
                .update();
        jdbc.sql("delete from specialization_export_failure where request_sha256 = ?")
                .param(pending.requestKey())
                .update();
    }

    /** Why the request's export could not be done, for the request that waits for it. */
    void recordFailure(String requestKey, String field, String detail) {
        jdbc.sql("insert into specialization_export_failure (request_sha256, field, detail) values (?, ?, ?)"
                        + " on conflict (request_sha256) do update set field = excluded.field,"
                        + " detail = excluded.detail, failed_at = now()")
                .params(requestKey, field, detail)
                .update();
    }

    boolean answered(String requestKey) {
        return jdbc.sql("select count(*) from specialization where request_sha256 = ?")
                        .param(requestKey)
                        .query(Long.class)
                        .single()
                > 0;
    }
}
