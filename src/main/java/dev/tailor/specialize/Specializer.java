package dev.tailor.specialize;

import dev.tailor.api.Problems;
import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.LatencySource;
import dev.tailor.catalogue.Supernet;
import dev.tailor.export.SubnetExporter;
import dev.tailor.latency.HostDevices;
import dev.tailor.metrics.WorkEvents;
import dev.tailor.search.CostModel;
import dev.tailor.search.Found;
import dev.tailor.search.Infeasible;
import dev.tailor.search.Metric;
import dev.tailor.search.SearchOutcome;
import dev.tailor.search.SubnetSearch;
import dev.tailor.space.SearchSpace;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers a budget with a tailored subnet: searches the supernet's space on the predicted
 * accuracy within the budget, exports the pick through the checked export path, and stores the
 * answer, so the same request again is served from the catalogue without searching or exporting.
 * Two identical requests at once export once: the cold path holds a lock named by the request.
 */
@Component
public class Specializer {

    /** The search's seed: answers are repeatable. */
    static final long SEED = 1;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ServingLookups lookups;
    private final DeviceLatencyViews latencyViews;
    private final SubnetExporter exporter;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final ApplicationEventPublisher events;

    Specializer(
            ServingLookups lookups,
            DeviceLatencyViews latencyViews,
            SubnetExporter exporter,
            JdbcClient jdbc,
            TransactionTemplate transactions,
            ApplicationEventPublisher events) {
        this.lookups = lookups;
        this.latencyViews = latencyViews;
        this.exporter = exporter;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.events = events;
    }

    /** An answer and whether it came from the catalogue (no search, no export). */
    public record Answer(SpecializationResponse response, boolean fromCatalogue) {}

    public Answer specialize(SpecializationRequest request, String datasetEnvironment) {
        BudgetCheck.Checked checked = BudgetCheck.check(request);
        Device device = lookups.device(checked.device());
        SpecializationResponse.Budget budget = echo(request, checked);
        ServingLookups.Serving remembered = lookups.serving(request.supernet());
        String rememberedKey = requestKey(
                remembered.supernet().getId(),
                device,
                budget,
                remembered.predictor().version().id());
        Optional<SpecializationResponse> known = lookups.answer(rememberedKey, () -> stored(rememberedKey));
        if (known.isPresent()) {
            events.publishEvent(new WorkEvents.SpecializationAnswered(true, 0, 0));
            return new Answer(known.get(), true);
        }
        // before searching, look again with nothing remembered: the supernet or predictor may have moved on
        // in the last seconds, and an answer may be stored under the newer one
        ServingLookups.Serving current = lookups.servingNow(request.supernet());
        Supernet supernet = current.supernet();
        SearchSpace space = current.space();
        PredictorStore.Loaded predictor = current.predictor();
        String key =
                requestKey(supernet.getId(), device, budget, predictor.version().id());
        Optional<SpecializationResponse> stored =
                key.equals(rememberedKey) ? Optional.empty() : lookups.answer(key, () -> stored(key));
        if (stored.isPresent()) {
            events.publishEvent(new WorkEvents.SpecializationAnswered(true, 0, 0));
            return new Answer(stored.get(), true);
        }
        return transactions.execute(status -> {
            jdbc.sql("select pg_advisory_xact_lock(hashtextextended(?, 0))")
                    .param(key)
                    .query()
                    .singleRow();
            Optional<SpecializationResponse> meanwhile = stored(key);
            if (meanwhile.isPresent()) {
                events.publishEvent(new WorkEvents.SpecializationAnswered(true, 0, 0));
                return new Answer(meanwhile.get(), true);
            }
            return new Answer(
                    cold(key, supernet, space, device, checked, budget, predictor, datasetEnvironment), false);
        });
    }

    private SpecializationResponse cold(
            String key,
            Supernet supernet,
            SearchSpace space,
            Device device,
            BudgetCheck.Checked checked,
            SpecializationResponse.Budget budget,
            PredictorStore.Loaded predictor,
            String datasetEnvironment) {
        long started = System.nanoTime();
        int classes = Objects.requireNonNullElse(supernet.getNumClasses(), 10);
        Optional<LatencyView> view = latencyViews.forDevice(device, space, classes);
        boolean needsLatency = checked.budget().limits().containsKey(Metric.LATENCY_MS);
        if (needsLatency && view.isEmpty()) {
            throw Problems.unprocessable(
                    "No latency model for this device",
                    "latencyMs",
                    "device '" + device.getName() + "' has no latency model yet and no published peak compute and"
                            + " bandwidth to estimate from: run a device agent on it, or budget macs instead",
                    Map.of());
        }
        CostModel costs = CostModel.counted(space, classes);
        if (view.isPresent()) {
            costs = costs.withLatency(view.get().millis());
        }
        SubnetSearch search = new SubnetSearch(space, predictor.scorer()::score, costs);
        long searchStarted = System.nanoTime();
        SearchOutcome outcome = search.search(checked.budget(), checked.objective(), SEED);
        long searchNanos = System.nanoTime() - searchStarted;
        if (outcome instanceof Infeasible infeasible) {
            throw infeasible(infeasible, device, view);
        }
        Found found = (Found) outcome;
        SubnetExporter.Exported exported;
        long exportStarted = System.nanoTime();
        try {
            exported = exporter.export(supernet.getId(), found.config(), datasetEnvironment);
        } catch (SubnetExporter.ExportException e) {
            throw Problems.conflict("the pick cannot be exported: " + e.getMessage(), "supernet");
        }
        events.publishEvent(
                new WorkEvents.SpecializationAnswered(false, searchNanos, System.nanoTime() - exportStarted));
        SpecializationResponse.Latency latency;
        Double searched = found.costs().get(Metric.LATENCY_MS);
        if (device.getName().equals(HostDevices.HOST_CPU)) {
            latency = new SpecializationResponse.Latency(
                    exported.hostLatency().p50Ms(),
                    LatencySource.MEASURED.wireName(),
                    view.map(LatencyView::error).orElse(null),
                    searched);
        } else if (view.isPresent()) {
            latency = new SpecializationResponse.Latency(
                    searched != null ? searched : view.get().millis().applyAsDouble(found.config()),
                    view.get().source().wireName(),
                    view.get().error(),
                    searched);
        } else {
            latency = null;
        }
        UUID id = UUID.randomUUID();
        String sha = exported.sha256();
        SpecializationResponse response = new SpecializationResponse(
                id,
                supernet.getId(),
                device.getName(),
                budget,
                JSON.readTree(found.config().canonicalJson()),
                found.config().sha256(),
                new SpecializationResponse.Accuracy(
                        found.accuracy(),
                        exported.onnxValidationTop1(),
                        exported.accuracy().testTop1(),
                        exported.accuracy().validationImages(),
                        exported.accuracy().testImages()),
                latency,
                exported.costs().macs(),
                exported.costs().params(),
                exported.costs().peakActivationBytes(),
                found.bindingConstraint(),
                new SpecializationResponse.Search(
                        checked.objective().name().toLowerCase(Locale.ROOT),
                        found.generations(),
                        found.candidatesScored(),
                        found.elapsedMillis(),
                        (System.nanoTime() - started) / 1_000_000,
                        SEED,
                        predictor.version().version()),
                new SpecializationResponse.Artifact(
                        sha, exported.bytes().length, "application/vnd.onnx", "/api/v1/artifacts/" + sha),
                OffsetDateTime.now().withNano(0));
        jdbc.sql("insert into specialization (id, request_sha256, supernet_id, device_id, subnet_id, onnx_sha256,"
                        + " request, response) values (?, ?, ?, ?, (select id from subnet where supernet_id = ? and"
                        + " config_sha256 = ?), ?, ?::jsonb, ?::jsonb)")
                .params(
                        id,
                        key,
                        supernet.getId(),
                        device.getId(),
                        supernet.getId(),
                        found.config().sha256(),
                        sha,
                        JSON.writeValueAsString(budget),
                        JSON.writeValueAsString(response))
                .update();
        return response;
    }

    private static RuntimeException infeasible(Infeasible infeasible, Device device, Optional<LatencyView> view) {
        String field = infeasible.constraints().get(0);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("constraints", infeasible.constraints());
        extra.put("closestReachable", infeasible.closest());
        if (infeasible.constraints().contains(Metric.LATENCY_MS.field()) && view.isPresent()) {
            extra.put("latencySource", view.get().source().wireName());
        }
        return Problems.unprocessable(
                "Budget cannot be met", field, infeasible.message() + " (device " + device.getName() + ")", extra);
    }

    private Optional<SpecializationResponse> stored(String key) {
        return jdbc.sql("select response::text from specialization where request_sha256 = ?")
                .param(key)
                .query(String.class)
                .optional()
                .map(json -> JSON.readValue(json, SpecializationResponse.class));
    }

    private static SpecializationResponse.Budget echo(SpecializationRequest request, BudgetCheck.Checked checked) {
        return new SpecializationResponse.Budget(
                request.latencyMs(),
                request.macs(),
                request.params(),
                request.memoryBytes(),
                request.minAccuracy(),
                checked.objective().name().toLowerCase(Locale.ROOT));
    }

    private static String requestKey(
            UUID supernetId, Device device, SpecializationResponse.Budget budget, UUID predictorId) {
        String canonical =
                supernetId + "|" + device.getName() + "|" + JSON.writeValueAsString(budget) + "|" + predictorId;
        return dev.tailor.catalogue.Artifact.sha256(canonical.getBytes(StandardCharsets.UTF_8));
    }

    /** A stored answer, by id. */
    public Optional<SpecializationResponse> find(UUID id) {
        return jdbc.sql("select response::text from specialization where id = ?")
                .param(id)
                .query(String.class)
                .optional()
                .map(json -> JSON.readValue(json, SpecializationResponse.class));
    }
}
