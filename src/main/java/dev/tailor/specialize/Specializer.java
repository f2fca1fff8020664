package dev.tailor.specialize;

import dev.tailor.api.Problems;
import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.LatencySource;
import dev.tailor.catalogue.Supernet;
import dev.tailor.latency.HostDevices;
import dev.tailor.metrics.WorkEvents;
import dev.tailor.search.CostModel;
import dev.tailor.search.Found;
import dev.tailor.search.Infeasible;
import dev.tailor.search.Metric;
import dev.tailor.search.Objective;
import dev.tailor.search.SearchOutcome;
import dev.tailor.search.SubnetSearch;
import dev.tailor.space.SearchSpace;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers a budget with a tailored subnet: searches the supernet's space on the predicted
 * accuracy within the budget, exports the pick through the checked export path, and stores the
 * answer, so the same request again is served from the catalogue without searching or exporting.
 * Identical requests at once search once in a process and export once across replicas.
 */
@Component
public class Specializer {

    /** The search's seed: answers are repeatable. */
    static final long SEED = 1;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ServingLookups lookups;
    private final DeviceLatencyViews latencyViews;
    private final SpecializationExports exports;
    private final SearchSlots searchSlots;
    private final JdbcClient jdbc;
    private final ApplicationEventPublisher events;

    /** Cold requests under way in this process, by request key. */
    private final Map<String, CompletableFuture<SpecializationResponse>> searching = new ConcurrentHashMap<>();

    Specializer(
            ServingLookups lookups,
            DeviceLatencyViews latencyViews,
            SpecializationExports exports,
            SearchSlots searchSlots,
            JdbcClient jdbc,
            ApplicationEventPublisher events) {
        this.lookups = lookups;
        this.latencyViews = latencyViews;
        this.exports = exports;
        this.searchSlots = searchSlots;
        this.jdbc = jdbc;
        this.events = events;
    }

    /** An answer and whether it came from the catalogue (no search, no export). */
    public record Answer(SpecializationResponse response, boolean fromCatalogue) {}

    public Answer specialize(SpecializationRequest request) {
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
        return coldOnce(key, () -> cold(key, supernet, space, device, checked, budget, predictor));
    }

    /**
     * One search and export per request key in this process: identical new budgets at once (pipelines
     * asking for the same model right after a new supernet or predictor made every answer new) used to
     * search each, a search slot each, and past the slots' wait all but a few were refused 503. The
     * first searches; the others wait for it and get its answer, or its refusal. (Across replicas the
     * export job, one per key, is shared; each replica searches once.)
     */
    private Answer coldOnce(String key, java.util.function.Supplier<Answer> cold) {
        CompletableFuture<SpecializationResponse> mine = new CompletableFuture<>();
        CompletableFuture<SpecializationResponse> underWay = searching.putIfAbsent(key, mine);
        if (underWay != null) {
            SpecializationResponse response = awaitIdentical(underWay);
            events.publishEvent(new WorkEvents.SpecializationAnswered(true, 0, 0));
            return new Answer(response, true);
        }
        try {
            // an identical request may have stored its answer between this one's look and now
            Optional<SpecializationResponse> storedMeanwhile = stored(key);
            if (storedMeanwhile.isPresent()) {
                mine.complete(storedMeanwhile.get());
                events.publishEvent(new WorkEvents.SpecializationAnswered(true, 0, 0));
                return new Answer(storedMeanwhile.get(), true);
            }
            Answer answer = cold.get();
            mine.complete(answer.response());
            return answer;
        } catch (RuntimeException | Error e) {
            // the waiters copy a snapshot: the handler answering this request completes its own body
            mine.completeExceptionally(e instanceof ErrorResponseException refused ? Problems.copy(refused) : e);
            throw e;
        } finally {
            // never leave a waiter waiting: a no-op once the future is done
            mine.completeExceptionally(new IllegalStateException("the identical request ended with no answer"));
            searching.remove(key, mine);
        }
    }

    private static SpecializationResponse awaitIdentical(CompletableFuture<SpecializationResponse> underWay) {
        try {
            return underWay.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problems.unavailable("the service is stopping; send the same request again", 10, Map.of());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ErrorResponseException refused) {
                // each request gets its own problem: the handler fills in the body of the one it answers
                throw Problems.copy(refused);
            }
            if (e.getCause() instanceof RuntimeException failed) {
                // answered as the identical request's failure is (a conflict, an outage, an incident)
                throw failed;
            }
            throw new IllegalStateException("the identical request searched beside this one failed", e.getCause());
        }
    }

    private Answer cold(
            String key,
            Supernet supernet,
            SearchSpace space,
            Device device,
            BudgetCheck.Checked checked,
            SpecializationResponse.Budget budget,
            PredictorStore.Loaded predictor) {
        long requestedAt = System.currentTimeMillis();
        int classes = Objects.requireNonNullElse(supernet.getNumClasses(), 10);
        boolean needsLatency = checked.budget().limits().containsKey(Metric.LATENCY_MS);
        Optional<LatencyView> view = needsLatency
                ? latencyViews.forLatencySearch(device, space, classes)
                : latencyViews.forDevice(device, space, classes);
        if (needsLatency && view.isEmpty()) {
            throw Problems.unprocessable(
                    "No latency model for this device",
                    "latencyMs",
                    "device '" + device.getName() + "' has no latency model yet and no published peak compute and"
                            + " bandwidth to estimate from: run a device agent on it, or budget macs instead",
                    Map.of());
        }
        if (checked.objective() == Objective.LATENCY && view.isEmpty()) {
            // the search would minimise MACs instead and answer as if it had found the fastest subnet
            throw Problems.unprocessable(
                    "No latency model for this device",
                    "objective",
                    "device '" + device.getName() + "' has no latency model yet and no published peak compute and"
                            + " bandwidth to estimate from, so the fastest subnet cannot be told: run a device agent"
                            + " on it, or ask for objective accuracy with a macs budget",
                    Map.of());
        }
        CostModel costs = CostModel.counted(space, classes);
        if (view.isPresent()) {
            costs = costs.withLatency(view.get().millis());
        }
        SubnetSearch search = new SubnetSearch(space, predictor.scorer()::score, costs);
        // a budget whose export could not be queued is refused before it costs a search
        exports.refuseWhenTheQueueIsFull(key);
        SearchOutcome outcome;
        long searchNanos;
        try (SearchSlots.Slot slot = searchSlots.take()) {
            long searchStarted = System.nanoTime();
            outcome = search.search(checked.budget(), checked.objective(), SEED);
            searchNanos = System.nanoTime() - searchStarted;
        }
        if (outcome instanceof Infeasible infeasible) {
            throw infeasible(infeasible, device, view);
        }
        Found found = (Found) outcome;
        Double searched = found.costs().get(Metric.LATENCY_MS);
        boolean measuredAtExport = device.getName().equals(HostDevices.HOST_CPU);
        SpecializationResponse.Latency latency = view.map(v -> new SpecializationResponse.Latency(
                        searched != null ? searched : v.millis().applyAsDouble(found.config()),
                        measuredAtExport
                                ? LatencySource.MEASURED.wireName()
                                : v.source().wireName(),
                        v.errorFor(found.config()),
                        searched,
                        v.speedCheck(),
                        null,
                        null))
                // timed at export, with no model to state an expected error from
                .orElse(
                        measuredAtExport
                                ? new SpecializationResponse.Latency(
                                        0, LatencySource.MEASURED.wireName(), null, searched, null, null, null)
                                : null);
        PendingExport pending = new PendingExport(
                key,
                supernet.getId(),
                device.getId(),
                device.getName(),
                budget,
                found.config().canonicalJson(),
                found.accuracy(),
                found.bindingConstraint(),
                latency,
                measuredAtExport,
                new SpecializationResponse.Search(
                        checked.objective().name().toLowerCase(Locale.ROOT),
                        found.generations(),
                        found.candidatesScored(),
                        found.elapsedMillis(),
                        0,
                        SEED,
                        predictor.version().version()),
                searchNanos,
                requestedAt,
                0);
        boolean exportedForThisRequest = exports.exportAndWait(pending);
        SpecializationResponse response = stored(key)
                .orElseThrow(() -> new IllegalStateException("export of " + key + " ended with no answer stored"));
        if (exportedForThisRequest) {
            return new Answer(response, false);
        }
        events.publishEvent(new WorkEvents.SpecializationAnswered(true, 0, 0));
        return new Answer(response, true);
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
        // the device's latency revision: an answer found with an older latency source is searched again
        String canonical = supernetId + "|" + device.getName() + "|" + JSON.writeValueAsString(budget) + "|"
                + predictorId + "|" + device.getLatencyRevision();
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
