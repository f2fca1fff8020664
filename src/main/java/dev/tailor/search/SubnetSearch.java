package dev.tailor.search;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Searches one space for subnets that fit a budget: OFA's evolution for one subnet, NSGA-II for a
 * Pareto front. Each call checks feasibility first (see {@link Feasibility}), then runs a fixed
 * number of generations, so every call ends. Everything random comes from the call's seed, so the
 * same inputs give the same answer bit for bit (wall time aside). Immutable; concurrent calls are
 * safe where the scorer and the cost model are.
 */
public final class SubnetSearch {

    private final AccuracyScorer scorer;
    private final CostModel costModel;
    private final SearchParams params;
    private final Encoding encoding;
    private final Variation variation;

    public SubnetSearch(SearchSpace space, AccuracyScorer scorer, CostModel costModel, SearchParams params) {
        this.scorer = scorer;
        this.costModel = costModel;
        this.params = params;
        this.encoding = new Encoding(space);
        this.variation = new Variation(encoding, params.mutateProb(), params.resolutionMutateProb());
    }

    public SubnetSearch(SearchSpace space, AccuracyScorer scorer, CostModel costModel) {
        this(space, scorer, costModel, SearchParams.ofa());
    }

    /**
     * The metric {@link Objective#LATENCY} minimises: latency where the cost model has it, else
     * MACs, the usual device-free stand-in for it.
     */
    public Metric latencyMetric() {
        return costModel.metrics().contains(Metric.LATENCY_MS) ? Metric.LATENCY_MS : Metric.MACS;
    }

    /** One subnet for the budget and objective; {@link Objective#LATENCY} needs a minAccuracy. */
    public SearchOutcome search(Budget budget, Objective objective, long seed) {
        long start = System.nanoTime();
        if (objective == Objective.LATENCY && budget.minAccuracy() == null) {
            throw new IllegalArgumentException("the latency objective needs " + Budget.MIN_ACCURACY);
        }
        Metric minimised = objective == Objective.LATENCY ? latencyMetric() : null;
        Run run = new Run(budget, minimised, seed);
        Feasibility.Probe probe = run.probe();
        if (probe.infeasible() != null) {
            return probe.infeasible();
        }
        Evaluator evaluator = run.evaluator;
        Comparator<Genome> ranking = objective == Objective.ACCURACY
                ? mostAccurate(evaluator)
                : cheapestReaching(evaluator, minimised, budget.minAccuracy());
        List<Genome> initial = run.breeder.initial(probe.feasible(), params.population());
        Genome best = new Evolution(params, run.breeder, evaluator, run.random).run(initial, ranking);
        double accuracy = evaluator.accuracy(best);
        if (budget.minAccuracy() != null && accuracy < budget.minAccuracy()) {
            return accuracyOutOfReach(budget, evaluator.bestAccuracy());
        }
        SubnetConfig config = evaluator.config(best);
        Map<Metric, Double> costs = allCosts(config);
        return new Found(
                config,
                accuracy,
                costs,
                binding(budget, costs, accuracy),
                params.generations(),
                evaluator.scored(),
                (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * NSGA-II's front of predicted accuracy against {@code metric} within the budget's limits, and
     * at or above its minAccuracy where one is given.
     */
    public FrontOutcome front(Metric metric, Budget budget, long seed) {
        long start = System.nanoTime();
        Run run = new Run(budget, metric, seed);
        Feasibility.Probe probe = run.probe();
        if (probe.infeasible() != null) {
            return probe.infeasible();
        }
        double floor = budget.minAccuracy() == null ? Double.NEGATIVE_INFINITY : budget.minAccuracy();
        List<Genome> initial = run.breeder.initial(probe.feasible(), params.population());
        List<Genome> front = new Nsga2(params, run.breeder, run.evaluator, metric, floor, run.random).run(initial);
        if (front.isEmpty()) {
            return accuracyOutOfReach(budget, run.evaluator.bestAccuracy());
        }
        List<FrontPoint> points = new ArrayList<>();
        for (Genome genome : front) {
            SubnetConfig config = run.evaluator.config(genome);
            points.add(new FrontPoint(config, run.evaluator.accuracy(genome), allCosts(config)));
        }
        return new ParetoFront(
                metric,
                points,
                params.frontGenerations(),
                run.evaluator.scored(),
                (System.nanoTime() - start) / 1_000_000);
    }

    /** One call's state: its random stream, its caches, its breeder. */
    private final class Run {
        final Budget budget;
        final SplittableRandom random;
        final Evaluator evaluator;
        final Breeder breeder;

        Run(Budget budget, Metric minimised, long seed) {
            budget.limits().keySet().forEach(SubnetSearch.this::requireKnown);
            Set<Metric> metrics = EnumSet.noneOf(Metric.class);
            metrics.addAll(budget.limits().keySet());
            if (minimised != null) {
                requireKnown(minimised);
                metrics.add(minimised);
            }
            this.budget = budget;
            random = new SplittableRandom(seed);
            evaluator = new Evaluator(encoding, costModel, scorer, List.copyOf(metrics), budget);
            breeder = new Breeder(encoding, variation, evaluator, random, params.maxTries());
        }

        Feasibility.Probe probe() {
            return new Feasibility(encoding, evaluator).check(budget, params.probeSamples(), random);
        }
    }

    private void requireKnown(Metric metric) {
        if (!costModel.metrics().contains(metric)) {
            throw new IllegalArgumentException(
                    "no " + metric.field() + " for this search: its cost model knows " + costModel.metrics());
        }
    }

    private static Comparator<Genome> mostAccurate(Evaluator evaluator) {
        return (a, b) -> Double.compare(evaluator.accuracy(b), evaluator.accuracy(a));
    }

    /**
     * Deb's feasibility rules, as the floor can only be checked after scoring: a subnet at or above
     * the floor beats one below it; above it the cheaper wins (then the more accurate); below it the
     * more accurate wins, which makes the search an accuracy search until it reaches the floor.
     */
    private static Comparator<Genome> cheapestReaching(Evaluator evaluator, Metric metric, double floor) {
        return (a, b) -> {
            double accuracyA = evaluator.accuracy(a);
            double accuracyB = evaluator.accuracy(b);
            boolean reachesA = accuracyA >= floor;
            boolean reachesB = accuracyB >= floor;
            if (reachesA != reachesB) {
                return reachesA ? -1 : 1;
            }
            if (reachesA) {
                int byCost = Double.compare(evaluator.cost(a, metric), evaluator.cost(b, metric));
                if (byCost != 0) {
                    return byCost;
                }
            }
            return Double.compare(accuracyB, accuracyA);
        };
    }

    private Map<Metric, Double> allCosts(SubnetConfig config) {
        List<Metric> metrics = List.copyOf(EnumSet.copyOf(costModel.metrics()));
        double[] values = costModel.costs(metrics, config);
        Map<Metric, Double> costs = new EnumMap<>(Metric.class);
        for (int i = 0; i < values.length; i++) {
            costs.put(metrics.get(i), values[i]);
        }
        return costs;
    }

    /** The constraint with the least relative slack, limits in metric order before the floor. */
    private static String binding(Budget budget, Map<Metric, Double> costs, double accuracy) {
        String binding = null;
        double least = Double.POSITIVE_INFINITY;
        for (Map.Entry<Metric, Double> limit : budget.limits().entrySet()) {
            double slack = (limit.getValue() - costs.get(limit.getKey())) / limit.getValue();
            if (slack < least) {
                least = slack;
                binding = limit.getKey().field();
            }
        }
        if (budget.minAccuracy() != null && (accuracy - budget.minAccuracy()) / budget.minAccuracy() < least) {
            binding = Budget.MIN_ACCURACY;
        }
        return binding;
    }

    private static Infeasible accuracyOutOfReach(Budget budget, double best) {
        return new Infeasible(
                List.of(Budget.MIN_ACCURACY),
                Map.of(Budget.MIN_ACCURACY, best),
                Budget.MIN_ACCURACY + " " + budget.minAccuracy() + " is above the highest predicted accuracy found"
                        + " within the other limits (" + best + ")");
    }
}
