package dev.tailor.search;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Whether any subnet fits a budget's limits, decided before searching, so that an impossible
 * budget is answered with the closest reachable value instead of a search that cannot succeed.
 *
 * <p>For each limited metric the cheapest point found among the smallest config at every
 * resolution and a seeded random probe is improved by a steepest descent over one-gene changes
 * until the cost stops dropping. That is a reachable subnet, so its cost is an upper bound on the
 * space's true minimum; for costs that grow with every choice (MACs, params) it is the minimum, as
 * the smallest config is one of the starts. A limit below it is infeasible. Limits that are each
 * reachable may still exclude each other; the same descent on the summed relative excess then
 * looks for a subnet within all of them (from the probe's least violating point and from each
 * metric's cheapest), and the budget is infeasible if every descent ends above zero.
 */
final class Feasibility {

    /** The feasible genomes met (random probe ones first), or why there are none. */
    record Probe(List<Genome> feasible, Infeasible infeasible) {}

    private final Encoding encoding;
    private final Evaluator evaluator;

    Feasibility(Encoding encoding, Evaluator evaluator) {
        this.encoding = encoding;
        this.evaluator = evaluator;
    }

    Probe check(Budget budget, int samples, SplittableRandom random) {
        List<Genome> probe = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            probe.add(encoding.random(random));
        }
        List<Genome> starts = new ArrayList<>();
        for (int r = 0; r < encoding.resolutionChoices(); r++) {
            starts.add(encoding.smallest(r));
        }
        Map<String, Double> unreachable = new LinkedHashMap<>();
        List<Genome> cheapest = new ArrayList<>();
        budget.limits().forEach((metric, limit) -> {
            ToDoubleFunction<Genome> cost = genome -> evaluator.cost(genome, metric);
            Genome best = descend(argMin(concat(starts, probe), cost), cost);
            cheapest.add(best);
            if (cost.applyAsDouble(best) > limit) {
                unreachable.put(metric.field(), cost.applyAsDouble(best));
            }
        });
        if (!unreachable.isEmpty()) {
            return new Probe(
                    List.of(),
                    new Infeasible(List.copyOf(unreachable.keySet()), unreachable, alone(budget, unreachable)));
        }
        List<Genome> met = concat(concat(probe, starts), cheapest);
        List<Genome> feasible = met.stream().filter(evaluator::withinLimits).toList();
        if (!feasible.isEmpty()) {
            return new Probe(feasible, null);
        }
        // several starts, as one descent on a sum of excesses can stall where a limit trades off another
        Genome closest = null;
        for (Genome start : concat(List.of(argMin(met, evaluator::violation)), cheapest)) {
            Genome end = descend(start, evaluator::violation);
            if (evaluator.withinLimits(end)) {
                return new Probe(List.of(end), null);
            }
            if (closest == null || evaluator.violation(end) < evaluator.violation(closest)) {
                closest = end;
            }
        }
        return new Probe(List.of(), together(budget, closest));
    }

    /** Steepest descent over one-gene changes; ends because every step strictly lowers f on a finite space. */
    private Genome descend(Genome start, ToDoubleFunction<Genome> f) {
        Genome current = start;
        double value = f.applyAsDouble(current);
        while (true) {
            Genome next = null;
            for (Genome neighbour : encoding.neighbours(current)) {
                double v = f.applyAsDouble(neighbour);
                if (v < value) {
                    value = v;
                    next = neighbour;
                }
            }
            if (next == null) {
                return current;
            }
            current = next;
        }
    }

    private static Genome argMin(List<Genome> genomes, ToDoubleFunction<Genome> f) {
        Genome best = genomes.get(0);
        double bestValue = f.applyAsDouble(best);
        for (Genome genome : genomes) {
            double value = f.applyAsDouble(genome);
            if (value < bestValue) {
                best = genome;
                bestValue = value;
            }
        }
        return best;
    }

    private static List<Genome> concat(List<Genome> first, List<Genome> second) {
        List<Genome> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static String alone(Budget budget, Map<String, Double> unreachable) {
        List<String> parts = new ArrayList<>();
        budget.limits().forEach((metric, limit) -> {
            Double closest = unreachable.get(metric.field());
            if (closest != null) {
                parts.add(metric.field() + " limit " + format(limit) + " is below the cheapest subnet found ("
                        + format(closest) + ")");
            }
        });
        return String.join("; ", parts);
    }

    private Infeasible together(Budget budget, Genome closest) {
        Map<String, Double> costs = new LinkedHashMap<>();
        List<String> limits = new ArrayList<>();
        budget.limits().forEach((metric, limit) -> {
            costs.put(metric.field(), evaluator.cost(closest, metric));
            limits.add(metric.field() + " <= " + format(limit));
        });
        return new Infeasible(
                List.copyOf(costs.keySet()),
                costs,
                "each limit is reachable alone but no subnet found meets " + String.join(" and ", limits)
                        + " together; the closest has " + costs);
    }

    static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? String.valueOf((long) value)
                : String.format(Locale.ROOT, "%.4g", value);
    }
}
