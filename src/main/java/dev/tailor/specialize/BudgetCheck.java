package dev.tailor.specialize;

import dev.tailor.api.Problems;
import dev.tailor.search.Budget;
import dev.tailor.search.Metric;
import dev.tailor.search.Objective;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a request into a search budget, refusing what cannot be a budget: none at all, negative,
 * zero, non-finite or absurd values, an unknown objective. Every refusal names the field.
 */
final class BudgetCheck {

    static final double MAX_LATENCY_MS = 100_000;
    static final long MAX_COUNT = 1_000_000_000_000_000L;

    private BudgetCheck() {}

    record Checked(Budget budget, Objective objective, String device) {}

    static Checked check(SpecializationRequest request) {
        if (request == null) {
            throw Problems.badField(
                    "latencyMs",
                    "the body is empty; give a budget such as {\"device\":\"host-cpu\","
                            + "\"latencyMs\":0.2} (or macs, params, memoryBytes, minAccuracy)");
        }
        List<Problems.FieldError> errors = new ArrayList<>();
        Budget budget = Budget.unlimited();
        if (request.latencyMs() != null) {
            double ms = request.latencyMs();
            if (!Double.isFinite(ms) || ms <= 0 || ms > MAX_LATENCY_MS) {
                errors.add(new Problems.FieldError(
                        "latencyMs", "must be a number of milliseconds above 0 and at most " + (long) MAX_LATENCY_MS));
            } else {
                budget = budget.limit(Metric.LATENCY_MS, ms);
            }
        }
        budget = count(errors, budget, Metric.MACS, request.macs());
        budget = count(errors, budget, Metric.PARAMS, request.params());
        budget = count(errors, budget, Metric.MEMORY_BYTES, request.memoryBytes());
        if (request.minAccuracy() != null) {
            double min = request.minAccuracy();
            if (!Double.isFinite(min) || min <= 0 || min > 1) {
                errors.add(new Problems.FieldError(
                        "minAccuracy", "must be a fraction above 0 and at most 1 (0.9 means 90 %)"));
            } else {
                budget = budget.withMinAccuracy(min);
            }
        }
        Objective objective = Objective.ACCURACY;
        if (request.objective() != null) {
            switch (request.objective().toLowerCase(Locale.ROOT)) {
                case "accuracy" -> objective = Objective.ACCURACY;
                case "latency" -> objective = Objective.LATENCY;
                default -> errors.add(new Problems.FieldError("objective", "must be accuracy or latency"));
            }
        }
        if (objective == Objective.LATENCY && request.minAccuracy() == null) {
            errors.add(new Problems.FieldError(
                    "minAccuracy", "the latency objective picks the fastest subnet reaching minAccuracy: give it"));
        }
        if (request.latencyMs() == null
                && request.macs() == null
                && request.params() == null
                && request.memoryBytes() == null
                && request.minAccuracy() == null) {
            errors.add(new Problems.FieldError(
                    "latencyMs", "no budget: give at least one of latencyMs, macs, params, memoryBytes, minAccuracy"));
        }
        String device = request.device() == null ? "host-cpu" : request.device();
        if (device.isBlank() || device.length() > 64) {
            errors.add(new Problems.FieldError("device", "must name a device (1 to 64 characters)"));
        }
        if (!errors.isEmpty()) {
            throw new org.springframework.web.ErrorResponseException(
                    org.springframework.http.HttpStatus.BAD_REQUEST, Problems.invalid(errors), null);
        }
        return new Checked(budget, objective, device);
    }

    private static Budget count(List<Problems.FieldError> errors, Budget budget, Metric metric, Long value) {
        if (value == null) {
            return budget;
        }
        if (value <= 0 || value > MAX_COUNT) {
            errors.add(new Problems.FieldError(metric.field(), "must be a whole number above 0 and at most 10^18"));
            return budget;
        }
        return budget.limit(metric, value);
    }
}
