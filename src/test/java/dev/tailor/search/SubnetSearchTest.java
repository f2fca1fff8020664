package dev.tailor.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tailor.space.SubnetConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubnetSearchTest {

    private static final CostModel TINY_COUNTED = CostModel.counted(Fixtures.TINY, 10);

    /** A latency that is not a function of MACs: a fixed price per block, kernels cost extra. */
    private static final CostModel TINY_TIMED = TINY_COUNTED.withLatency(c -> {
        double kernels = c.kernels().stream().mapToDouble(k -> k * k).sum();
        return 0.3 + 0.05 * c.activeBlocks() + 0.002 * kernels * c.resolution() / 28;
    });

    private static final BruteForce TINY = BruteForce.of(Fixtures.TINY, TINY_TIMED);

    private static final double ANALYTIC_LARGEST = Fixtures.ANALYTIC.cost(Metric.MACS, Fixtures.FASHION.largest());
    private static final double ANALYTIC_SMALLEST = Fixtures.ANALYTIC.cost(Metric.MACS, Fixtures.FASHION.smallest());

    private static final Budget MID =
            Budget.unlimited().limit(Metric.MACS, ANALYTIC_LARGEST / 3).limit(Metric.LATENCY_MS, 2.4);

    @Test
    void sameSeedGivesTheSameAnswerAndTheSameScorerCallsBitForBit() {
        Fixtures.RecordingScorer first = new Fixtures.RecordingScorer();
        Fixtures.RecordingScorer second = new Fixtures.RecordingScorer();
        Found a = (Found)
                new SubnetSearch(Fixtures.FASHION, first, Fixtures.ANALYTIC).search(MID, Objective.ACCURACY, 42);
        Found b = (Found)
                new SubnetSearch(Fixtures.FASHION, second, Fixtures.ANALYTIC).search(MID, Objective.ACCURACY, 42);
        assertThat(b.config()).isEqualTo(a.config());
        assertThat(Double.doubleToLongBits(b.accuracy())).isEqualTo(Double.doubleToLongBits(a.accuracy()));
        assertThat(b.costs()).isEqualTo(a.costs());
        assertThat(b.candidatesScored()).isEqualTo(a.candidatesScored());
        assertThat(second.calls).isEqualTo(first.calls);

        Fixtures.RecordingScorer other = new Fixtures.RecordingScorer();
        new SubnetSearch(Fixtures.FASHION, other, Fixtures.ANALYTIC).search(MID, Objective.ACCURACY, 43);
        assertThat(other.calls).isNotEqualTo(first.calls);
    }

    @Test
    void noCandidateEverLeavesTheLimitsAndTheAnswerSitsUnderThem() {
        for (Budget budget : List.of(
                MID,
                Budget.unlimited().limit(Metric.MACS, ANALYTIC_SMALLEST * 1.3),
                Budget.unlimited().limit(Metric.PARAMS, 2500.0).limit(Metric.LATENCY_MS, 1.9))) {
            for (Objective objective : Objective.values()) {
                Fixtures.RecordingScorer scorer = new Fixtures.RecordingScorer();
                Budget withFloor = budget.withMinAccuracy(0.8);
                Found found = (Found)
                        new SubnetSearch(Fixtures.FASHION, scorer, Fixtures.ANALYTIC).search(withFloor, objective, 5);
                for (SubnetConfig config : scorer.scored()) {
                    budget.limits()
                            .forEach((metric, limit) -> assertThat(Fixtures.ANALYTIC.cost(metric, config))
                                    .isLessThanOrEqualTo(limit));
                }
                budget.limits()
                        .forEach((metric, limit) -> assertThat(found.costs().get(metric))
                                .as("%s under %s", metric, budget)
                                .isLessThanOrEqualTo(limit));
                assertThat(found.accuracy()).isGreaterThanOrEqualTo(0.8);
            }
        }
    }

    @Test
    void eachGenerationIsScoredInOneCallAndEachConfigOnlyOnce() {
        Fixtures.RecordingScorer scorer = new Fixtures.RecordingScorer();
        Found found = (Found)
                new SubnetSearch(Fixtures.FASHION, scorer, Fixtures.ANALYTIC).search(MID, Objective.ACCURACY, 1);
        assertThat(scorer.calls).hasSizeBetween(found.generations() / 2, found.generations() + 1);
        assertThat(scorer.calls).allSatisfy(call -> assertThat(call).hasSizeLessThanOrEqualTo(100));
        List<SubnetConfig> scored = scorer.scored();
        assertThat(new HashSet<>(scored)).hasSameSizeAs(scored);
        assertThat(found.candidatesScored()).isEqualTo(scored.size());
        assertThat(found.generations()).isEqualTo(500);
    }

    @Test
    void aLimitBelowTheCheapestSubnetIsInfeasibleAndNamesTheCheapestValue() {
        Fixtures.RecordingScorer scorer = new Fixtures.RecordingScorer();
        SubnetSearch search = new SubnetSearch(Fixtures.FASHION, scorer, Fixtures.ANALYTIC);
        double smallestLatency = Fixtures.ANALYTIC.cost(Metric.LATENCY_MS, Fixtures.FASHION.smallest());
        Budget budget = Budget.unlimited()
                .limit(Metric.MACS, ANALYTIC_SMALLEST * 0.9)
                .limit(Metric.LATENCY_MS, smallestLatency * 0.99)
                .limit(Metric.PARAMS, 1e9);
        Infeasible infeasible = (Infeasible) search.search(budget, Objective.ACCURACY, 3);
        assertThat(infeasible.constraints()).containsExactly("latencyMs", "macs");
        // these costs grow with every choice, so the cheapest reachable is the smallest subnet
        assertThat(infeasible.closest()).containsEntry("macs", ANALYTIC_SMALLEST);
        assertThat(infeasible.closest()).containsEntry("latencyMs", smallestLatency);
        assertThat(infeasible.message()).contains("macs limit").contains("latencyMs limit");
        assertThat(scorer.calls).isEmpty();
        assertThat(search.front(Metric.MACS, budget, 3)).isEqualTo(infeasible);
    }

    @Test
    void aBudgetJustAboveTheCheapestSubnetIsStillFound() {
        // random draws almost never land this low; the feasibility descent supplies the seeds
        Budget budget = Budget.unlimited()
                .limit(Metric.MACS, ANALYTIC_SMALLEST * 1.1)
                .limit(Metric.LATENCY_MS, Fixtures.ANALYTIC.cost(Metric.LATENCY_MS, Fixtures.FASHION.smallest()) * 1.1);
        Found found = (Found) new SubnetSearch(Fixtures.FASHION, Fixtures.SCORER, Fixtures.ANALYTIC)
                .search(budget, Objective.ACCURACY, 9);
        assertThat(found.costs().get(Metric.MACS)).isLessThanOrEqualTo(ANALYTIC_SMALLEST * 1.1);
        assertThat(found.accuracy()).isGreaterThan(Fixtures.accuracy(Fixtures.FASHION.smallest()));
    }

    @Test
    void anAccuracyFloorAboveReachIsInfeasibleAndNamesTheBestReachable() {
        Budget limits = Budget.unlimited().limit(Metric.MACS, TINY.quantile(Metric.MACS, 0.3));
        SearchOutcome outcome = new SubnetSearch(Fixtures.TINY, Fixtures.SCORER, TINY_COUNTED)
                .search(limits.withMinAccuracy(0.99), Objective.ACCURACY, 4);
        Infeasible infeasible = (Infeasible) outcome;
        assertThat(infeasible.constraints()).containsExactly(Budget.MIN_ACCURACY);
        assertThat(infeasible.closest().get(Budget.MIN_ACCURACY)).isCloseTo(TINY.bestAccuracy(limits), within(1e-12));
        assertThat(infeasible.message()).contains("0.99");
    }

    @Test
    void limitsReachableAloneButNotTogetherAreInfeasibleWithoutHanging() {
        // macs wants the lowest resolution, params the highest: each alone is met by some subnet
        CostModel conflicting = new CostModel() {
            @Override
            public Set<Metric> metrics() {
                return Set.of(Metric.MACS, Metric.PARAMS);
            }

            @Override
            public double cost(Metric metric, SubnetConfig config) {
                int resolution = metric == Metric.MACS ? config.resolution() : 48 - config.resolution();
                return resolution + config.activeBlocks();
            }
        };
        Budget budget = Budget.unlimited().limit(Metric.MACS, 26).limit(Metric.PARAMS, 26);
        SubnetSearch search = new SubnetSearch(Fixtures.FASHION, Fixtures.SCORER, conflicting);
        Infeasible infeasible = assertTimeoutPreemptively(
                Duration.ofSeconds(20), () -> (Infeasible) search.search(budget, Objective.ACCURACY, 2));
        assertThat(infeasible.constraints()).containsExactly("macs", "params");
        assertThat(infeasible.closest().keySet()).containsExactly("macs", "params");
        assertThat(infeasible.closest().get("macs") + infeasible.closest().get("params"))
                .isGreaterThanOrEqualTo(48 + 2 * 6);
        assertThat(infeasible.message()).contains("together");
        assertThat(search.search(budget.limit(Metric.PARAMS, 34), Objective.ACCURACY, 2))
                .isInstanceOf(Found.class);
    }

    @Test
    void findsTheBruteForceOptimumOfAnEnumerableSpace() {
        for (double q : new double[] {0.05, 0.2, 0.4, 0.6, 0.8, 1.0}) {
            Budget budget = Budget.unlimited().limit(Metric.MACS, TINY.quantile(Metric.MACS, q));
            Found found = (Found) new SubnetSearch(Fixtures.TINY, Fixtures.SCORER, TINY_COUNTED)
                    .search(budget, Objective.ACCURACY, 8);
            assertThat(found.accuracy()).as("quantile %s", q).isCloseTo(TINY.bestAccuracy(budget), within(0.002));
            assertThat(found.accuracy()).isLessThanOrEqualTo(TINY.bestAccuracy(budget));
        }
    }

    @Test
    void latencyObjectiveReturnsTheCheapestSubnetReachingTheFloor() {
        Budget limits = Budget.unlimited().limit(Metric.PARAMS, TINY.quantile(Metric.PARAMS, 0.7));
        SubnetSearch search = new SubnetSearch(Fixtures.TINY, Fixtures.SCORER, TINY_TIMED);
        assertThat(search.latencyMetric()).isEqualTo(Metric.LATENCY_MS);
        double lowest = TINY.within(limits).stream()
                .mapToDouble(BruteForce.Point::accuracy)
                .min()
                .orElseThrow();
        double highest = TINY.bestAccuracy(limits);
        for (double share : new double[] {0.2, 0.5, 0.8, 0.95, 1.0}) {
            double floor = lowest + share * (highest - lowest);
            Budget budget = limits.withMinAccuracy(floor);
            Found found = (Found) search.search(budget, Objective.LATENCY, 6);
            assertThat(found.accuracy()).isGreaterThanOrEqualTo(floor);
            assertThat(found.costs().get(Metric.PARAMS))
                    .isLessThanOrEqualTo(limits.limits().get(Metric.PARAMS));
            assertThat(found.costs().get(Metric.LATENCY_MS))
                    .as("floor %s", floor)
                    .isEqualTo(TINY.cheapestReaching(Metric.LATENCY_MS, floor, limits));
        }
    }

    @Test
    void latencyObjectiveMinimisesMacsWhereThereIsNoLatency() {
        SubnetSearch search = new SubnetSearch(Fixtures.TINY, Fixtures.SCORER, TINY_COUNTED);
        assertThat(search.latencyMetric()).isEqualTo(Metric.MACS);
        Found found = (Found) search.search(Budget.unlimited().withMinAccuracy(0.85), Objective.LATENCY, 6);
        assertThat(found.costs().get(Metric.MACS))
                .isEqualTo(TINY.cheapestReaching(Metric.MACS, 0.85, Budget.unlimited()));
        assertThat(found.bindingConstraint()).isEqualTo(Budget.MIN_ACCURACY);
        assertThat(search.search(Budget.unlimited().withMinAccuracy(0.999), Objective.LATENCY, 6))
                .isInstanceOfSatisfying(
                        Infeasible.class,
                        i -> assertThat(i.closest().get(Budget.MIN_ACCURACY))
                                .isCloseTo(TINY.bestAccuracy(Budget.unlimited()), within(1e-12)));
    }

    @Test
    void theBindingConstraintHasTheLeastRelativeSlack() {
        Found found = (Found) new SubnetSearch(Fixtures.FASHION, Fixtures.SCORER, Fixtures.ANALYTIC)
                .search(MID.limit(Metric.PARAMS, 1e6), Objective.ACCURACY, 12);
        double macsSlack = 1 - found.costs().get(Metric.MACS) / MID.limits().get(Metric.MACS);
        double latencySlack =
                1 - found.costs().get(Metric.LATENCY_MS) / MID.limits().get(Metric.LATENCY_MS);
        assertThat(found.bindingConstraint()).isEqualTo(macsSlack <= latencySlack ? "macs" : "latencyMs");
        assertThat(Math.min(macsSlack, latencySlack)).isLessThan(0.05);
    }

    @Test
    void refusesWhatItCannotAnswer() {
        SubnetSearch search = new SubnetSearch(Fixtures.FASHION, Fixtures.SCORER, Fixtures.ANALYTIC);
        assertThatThrownBy(() -> search.search(Budget.unlimited(), Objective.LATENCY, 1))
                .hasMessageContaining("minAccuracy");
        assertThatThrownBy(
                        () -> search.search(Budget.unlimited().limit(Metric.MEMORY_BYTES, 1e6), Objective.ACCURACY, 1))
                .hasMessageContaining("memoryBytes");
        assertThatThrownBy(() -> Budget.unlimited().limit(Metric.MACS, -1)).hasMessageContaining("macs");
        assertThatThrownBy(() -> Budget.unlimited().withMinAccuracy(1.5)).hasMessageContaining("minAccuracy");
    }
}
