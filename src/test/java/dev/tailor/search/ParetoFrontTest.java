package dev.tailor.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.space.SubnetConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ParetoFrontTest {

    private static final CostModel COUNTED = CostModel.counted(Fixtures.TINY, 10);
    private static final BruteForce ALL = BruteForce.of(Fixtures.TINY, COUNTED);

    @Test
    void matchesTheBruteForceFrontOfAnEnumerableSpace() {
        assertMatchesBruteForce(Budget.unlimited());
    }

    @Test
    void matchesTheBruteForceFrontWithinLimitsAndAboveAFloor() {
        assertMatchesBruteForce(Budget.unlimited()
                .limit(Metric.PARAMS, ALL.quantile(Metric.PARAMS, 0.5))
                .withMinAccuracy(0.8));
    }

    /**
     * Every returned point is on the true front (no enumerated subnet dominates it), and at least
     * 90 % of the true front is returned (all of it on this space, as measured).
     */
    private static void assertMatchesBruteForce(Budget budget) {
        double floor = budget.minAccuracy() == null ? 0 : budget.minAccuracy();
        List<BruteForce.Point> candidates =
                ALL.within(budget).stream().filter(p -> p.accuracy() >= floor).toList();
        Set<SubnetConfig> truth = ALL.front(Metric.MACS, budget).stream()
                .filter(p -> p.accuracy() >= floor)
                .map(BruteForce.Point::config)
                .collect(Collectors.toSet());
        Fixtures.RecordingScorer scorer = new Fixtures.RecordingScorer();
        ParetoFront front =
                (ParetoFront) new SubnetSearch(Fixtures.TINY, scorer, COUNTED).front(Metric.MACS, budget, 7);

        assertThat(front.metric()).isEqualTo(Metric.MACS);
        for (FrontPoint point : front.points()) {
            BruteForce.Point asEnumerated = new BruteForce.Point(point.config(), point.accuracy(), point.costs());
            assertThat(asEnumerated.within(budget)).isTrue();
            assertThat(point.accuracy()).isGreaterThanOrEqualTo(floor);
            assertThat(candidates).noneMatch(q -> BruteForce.dominates(q, asEnumerated, Metric.MACS));
        }
        Set<SubnetConfig> found =
                front.points().stream().map(FrontPoint::config).collect(Collectors.toSet());
        assertThat(found).hasSameSizeAs(front.points());
        Set<SubnetConfig> hits = new HashSet<>(found);
        hits.retainAll(truth);
        assertThat(hits.size()).isGreaterThanOrEqualTo((int) Math.ceil(0.9 * truth.size()));
        // cheapest first, and along a front accuracy only rises with cost
        for (int i = 1; i < front.points().size(); i++) {
            FrontPoint previous = front.points().get(i - 1);
            FrontPoint point = front.points().get(i);
            assertThat(point.costs().get(Metric.MACS))
                    .isGreaterThanOrEqualTo(previous.costs().get(Metric.MACS));
            assertThat(point.accuracy()).isGreaterThan(previous.accuracy());
        }
        assertThat(scorer.calls).hasSizeLessThanOrEqualTo(front.generations() + 1);
        assertThat(front.candidatesScored())
                .isEqualTo(scorer.scored().size())
                .isLessThan(ALL.points().size());
    }

    @Test
    void sameSeedSameFront() {
        Budget budget = Budget.unlimited().limit(Metric.MACS, ALL.quantile(Metric.MACS, 0.6));
        ParetoFront a =
                (ParetoFront) new SubnetSearch(Fixtures.TINY, Fixtures.SCORER, COUNTED).front(Metric.PARAMS, budget, 3);
        ParetoFront b =
                (ParetoFront) new SubnetSearch(Fixtures.TINY, Fixtures.SCORER, COUNTED).front(Metric.PARAMS, budget, 3);
        assertThat(b.points()).isEqualTo(a.points());
        assertThat(a.points())
                .allSatisfy(p -> assertThat(p.costs().get(Metric.MACS))
                        .isLessThanOrEqualTo(budget.limits().get(Metric.MACS)));
    }

    @Test
    void aFloorAboveEveryFrontPointIsInfeasible() {
        FrontOutcome outcome = new SubnetSearch(Fixtures.TINY, Fixtures.SCORER, COUNTED)
                .front(Metric.MACS, Budget.unlimited().withMinAccuracy(0.99), 1);
        assertThat(outcome)
                .isInstanceOfSatisfying(
                        Infeasible.class, i -> assertThat(i.constraints()).containsExactly(Budget.MIN_ACCURACY));
    }
}
