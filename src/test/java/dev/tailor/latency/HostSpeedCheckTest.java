package dev.tailor.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The speed check against made-up timings: which ratio, when it is applied, when it is timed again. */
class HostSpeedCheckTest {

    private static final SearchSpace SPACE = TinySpaces.withUnit(16);
    private static final long SECOND = 1_000_000_000L;
    private static final long HOUR = 3600 * SECOND;

    private final AtomicInteger modelsWritten = new AtomicInteger();
    private final AtomicInteger passes = new AtomicInteger();
    private final AtomicLong now = new AtomicLong(100 * SECOND);

    /** Timings kept in memory, stamped by the test's clock. */
    private final HostSpeedHistory history = new HostSpeedHistory() {
        private final java.util.Map<String, List<Timing>> kept = new java.util.HashMap<>();

        @Override
        public void keep(String modelKey, double ratio, long windowMillis) {
            long at = now.get() / 1_000_000;
            kept.values().forEach(timings -> timings.removeIf(t -> t.atMillis() < at - windowMillis));
            kept.computeIfAbsent(modelKey, k -> new ArrayList<>()).add(new Timing(ratio, at));
        }

        @Override
        public List<Timing> recent(String modelKey, long windowMillis) {
            long at = now.get() / 1_000_000;
            return kept.getOrDefault(modelKey, List.of()).stream()
                    .filter(t -> t.atMillis() >= at - windowMillis)
                    .toList();
        }
    };

    /** Each reference model is a byte holding its position; the timer reads it back. */
    private final SubnetModels subnets = (space, classes, configs) -> {
        modelsWritten.incrementAndGet();
        List<byte[]> models = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            models.add(new byte[] {(byte) i});
        }
        return models;
    };

    private static final ToDoubleFunction<SubnetConfig> MODEL =
            config -> 0.1 + config.sha256().charAt(0) / 1000.0;

    /** Times reference i at ratios[i] times the model's prediction for it, the same in every round. */
    private HostSpeedCheck timedAt(double... ratios) {
        double[][] rounds = new double[HostSpeedCheck.ROUNDS][];
        java.util.Arrays.fill(rounds, ratios);
        return timedInRounds(rounds);
    }

    /** Times reference i in round r at ratios[r][i] times the model's prediction for it. */
    private HostSpeedCheck timedInRounds(double[][] ratios) {
        List<SubnetConfig> references = HostSpeedCheck.references(SPACE);
        return new HostSpeedCheck(
                subnets,
                models -> {
                    passes.incrementAndGet();
                    // a check takes about a second
                    now.addAndGet(SECOND);
                    double[][] timed = new double[ratios.length][models.size()];
                    for (int r = 0; r < ratios.length; r++) {
                        for (byte[] model : models) {
                            timed[r][model[0]] = ratios[r][model[0]] * MODEL.applyAsDouble(references.get(model[0]));
                        }
                    }
                    return timed;
                },
                new HostSpeedCheck.Settings(0.10, 1.25, 20 * SECOND, 60 * SECOND, HOUR),
                new HostQuiet(),
                history,
                now::get,
                millis -> now.addAndGet(millis * 1_000_000));
    }

    @Test
    void theReferencesAreTheSmallestTheLargestAndFourSeededRandomOnes() {
        List<SubnetConfig> references = HostSpeedCheck.references(SPACE);
        assertThat(references).hasSize(6);
        assertThat(references.get(0)).isEqualTo(SPACE.smallest());
        assertThat(references.get(1)).isEqualTo(SPACE.largest());
        assertThat(HostSpeedCheck.references(SPACE)).isEqualTo(references);
    }

    @Test
    void aHostSlowerThanItsModelBeyondTheToleranceScalesItByTheMedianRatio() {
        HostSpeedCheck.Result result =
                timedAt(1.16, 1.20, 1.18, 1.22, 1.24, 9.0).check(SPACE, 10, MODEL);
        assertThat(result.references()).isEqualTo(6);
        assertThat(result.measuredOverPredicted()).isCloseTo(1.21, offset(1e-12));
        assertThat(result.fastestRound()).isCloseTo(1.21, offset(1e-12));
        assertThat(result.slowestRound()).isCloseTo(1.21, offset(1e-12));
        assertThat(result.applied()).isTrue();
        assertThat(result.factor()).isCloseTo(1.21, offset(1e-12));
        assertThat(result.waitedSeconds()).isZero();
        assertThat(result.ageSeconds()).isZero();
    }

    @Test
    void roundsTheHostSlowedInDoNotMoveTheRatioUnlessTheyAreMost() {
        double[] nominal = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
        double[] slowed = {1.7, 1.6, 1.7, 1.8, 1.7, 1.7};
        // a burst over 5 of 8 rounds: the lower quartile (the second fastest round) is the host's speed
        HostSpeedCheck.Result burst = timedInRounds(
                        new double[][] {slowed, slowed, nominal, slowed, slowed, nominal, nominal, slowed})
                .check(SPACE, 10, MODEL);
        assertThat(burst.measuredOverPredicted()).isCloseTo(1.0, offset(1e-12));
        assertThat(burst.applied()).isFalse();
        assertThat(burst.fastestRound()).isCloseTo(1.0, offset(1e-12));
        assertThat(burst.slowestRound()).isCloseTo(1.7, offset(1e-12));
        // slower in 7 of 8 rounds: a drift, applied at once
        double[] drifted = {1.2, 1.2, 1.2, 1.2, 1.2, 1.2};
        HostSpeedCheck.Result drift = timedInRounds(
                        new double[][] {drifted, drifted, drifted, drifted, nominal, drifted, drifted, drifted})
                .check(SPACE, 10, MODEL);
        assertThat(drift.measuredOverPredicted()).isCloseTo(1.2, offset(1e-12));
        assertThat(drift.applied()).isTrue();
        assertThat(drift.waitedSeconds()).isZero();
    }

    @Test
    void aHostWithinTheToleranceLeavesTheModelAsItIs() {
        HostSpeedCheck.Result faster =
                timedAt(0.93, 0.95, 0.92, 0.94, 0.96, 0.97).check(SPACE, 10, MODEL);
        assertThat(faster.measuredOverPredicted()).isCloseTo(0.945, offset(1e-12));
        assertThat(faster.applied()).isFalse();
        assertThat(faster.factor()).isEqualTo(1);

        HostSpeedCheck.Result muchFaster = timedAt(0.5, 0.5, 0.5, 0.5, 0.5, 0.5).check(SPACE, 10, MODEL);
        assertThat(muchFaster.applied()).isTrue();
        assertThat(muchFaster.factor()).isCloseTo(0.5, offset(1e-12));
    }

    @Test
    void aCheckIsReusedWhileFreshAndTimedAgainAfterwardsOrForAnotherModel() {
        HostSpeedCheck check = timedAt(1.2, 1.2, 1.2, 1.2, 1.2, 1.2);
        check.check(SPACE, 10, MODEL);
        now.addAndGet(30 * SECOND);
        HostSpeedCheck.Result reused = check.check(SPACE, 10, MODEL);
        assertThat(passes).hasValue(1);
        assertThat(reused.ageSeconds()).isEqualTo(30);

        now.addAndGet(31 * SECOND);
        assertThat(check.check(SPACE, 10, MODEL).ageSeconds()).isZero();
        assertThat(passes).hasValue(2);

        // a refitted model predicts the references differently: its check is its own
        check.check(SPACE, 10, config -> 2 * MODEL.applyAsDouble(config));
        assertThat(passes).hasValue(3);
        // the reference models are written once per space
        assertThat(modelsWritten).hasValue(1);
    }

    @Test
    void aSlowEpisodeIsWaitedOutAndOneThatLastsIsTakenAsTheHostsSpeed() {
        double[] episode = {1.8, 1.9, 1.8, 1.7, 1.8, 1.8};
        double[] usual = {1.04, 1.05, 1.05, 1.06, 1.05, 1.05};
        // slow for the first three checks, then as usual: the last check counts, after 3 waits of 2 s
        List<double[]> byPass = List.of(episode, episode, episode, usual);
        AtomicInteger pass = new AtomicInteger();
        HostSpeedCheck passing = timedBy(() -> byPass.get(Math.min(pass.getAndIncrement(), byPass.size() - 1)));
        HostSpeedCheck.Result waited = passing.check(SPACE, 10, MODEL);
        assertThat(waited.measuredOverPredicted()).isCloseTo(1.05, offset(1e-12));
        assertThat(waited.applied()).isFalse();
        assertThat(pass).hasValue(4);
        // the last check began after three checks of a second each and three waits of two
        assertThat(waited.waitedSeconds()).isEqualTo(3 + 3 * 2);

        // slow throughout: after max-wait-seconds the episode is the host's speed
        pass.set(0);
        HostSpeedCheck.Result lasting = timedBy(() -> episode).check(SPACE, 10, MODEL);
        assertThat(lasting.measuredOverPredicted()).isCloseTo(1.8, offset(1e-12));
        assertThat(lasting.applied()).isTrue();
        // checks begin every 3 s; the one at 21 s is the first to end past the 20 s limit
        assertThat(lasting.waitedSeconds()).isEqualTo(21);

        // faster than the model is no episode: applied at once
        HostSpeedCheck.Result faster = timedAt(0.7, 0.7, 0.7, 0.7, 0.7, 0.7).check(SPACE, 10, MODEL);
        assertThat(faster.applied()).isTrue();
        assertThat(faster.waitedSeconds()).isZero();
    }

    @Test
    void inASlowEpisodeTheCheckTakesTheHostsUsualSpeedFromItsKeptTimingsOnceFiveAreKept() {
        double[] episode = {1.8, 1.9, 1.8, 1.7, 1.8, 1.8};
        double[] usual = {1.04, 1.05, 1.05, 1.06, 1.05, 1.05};
        AtomicInteger pass = new AtomicInteger();
        List<double[]> byPass = new ArrayList<>();
        HostSpeedCheck check = timedBy(() -> byPass.get(pass.getAndIncrement()));
        // four watch passes at the usual speed: too few to know it by, so the episode is waited out
        for (int i = 0; i < 4; i++) {
            byPass.add(usual);
            check.watch(SPACE, 10, MODEL);
        }
        byPass.addAll(List.of(episode, usual));
        HostSpeedCheck.Result waited = check.check(SPACE, 10, MODEL);
        assertThat(waited.waitedSeconds()).isEqualTo(3);
        assertThat(waited.measuredOverPredicted()).isCloseTo(1.05, offset(1e-12));
        assertThat(waited.slowEpisodeRatio()).isNull();

        // with five or more kept outside episodes (and the episode's own pass among them), no wait:
        // the search works with their median and the answer says what the check read
        now.addAndGet(61 * SECOND);
        byPass.add(episode);
        int before = pass.get();
        HostSpeedCheck.Result usualSpeed = check.check(SPACE, 10, MODEL);
        assertThat(pass.get() - before).isEqualTo(1);
        assertThat(usualSpeed.waitedSeconds()).isZero();
        assertThat(usualSpeed.measuredOverPredicted()).isCloseTo(1.05, offset(1e-12));
        assertThat(usualSpeed.slowEpisodeRatio()).isCloseTo(1.8, offset(1e-12));
        assertThat(usualSpeed.applied()).isFalse();
        // and it is reused while fresh, as any check
        assertThat(check.check(SPACE, 10, MODEL).slowEpisodeRatio()).isCloseTo(1.8, offset(1e-12));
        assertThat(pass.get() - before).isEqualTo(1);

        // a host slow for most of the hour has no usual speed below the mark to search with: it waits
        HostSpeedCheck slowHour = timedBy(() -> episode);
        for (int i = 0; i < 6; i++) {
            slowHour.watch(SPACE, 10, MODEL);
        }
        HostSpeedCheck.Result lasting = slowHour.check(SPACE, 10, MODEL);
        assertThat(lasting.slowEpisodeRatio()).isNull();
        assertThat(lasting.waitedSeconds()).isPositive();
        assertThat(lasting.measuredOverPredicted()).isCloseTo(1.8, offset(1e-12));
    }

    @Test
    void aFileTimedInASlowEpisodeIsTimedAgainOnceTheEpisodePasses() {
        HostSpeedCheck check = timedAt(1, 1, 1, 1, 1, 1);
        java.util.Iterator<Double> readings = List.of(0.21, 0.20, 0.102).iterator();
        AtomicInteger timings = new AtomicInteger();
        double timed = check.outlastEpisode(
                () -> {
                    timings.incrementAndGet();
                    now.addAndGet(SECOND);
                    return readings.next();
                },
                millis -> millis,
                0.1);
        assertThat(timed).isEqualTo(0.102);
        assertThat(timings).hasValue(3);

        assertThat(check.slowEpisode(0.125, 0.1)).isTrue();
        assertThat(check.slowEpisode(0.1249, 0.1)).isFalse();
        assertThat(check.slowEpisode(5.0, 0)).isFalse();

        // within the mark (under 1.25x), or with nothing expected: the first timing stands
        assertThat(check.outlastEpisode(() -> 0.12, millis -> millis, 0.1)).isEqualTo(0.12);
        assertThat(check.outlastEpisode(() -> 5.0, millis -> millis, 0)).isEqualTo(5.0);

        // an episode that lasts: timed again for max-wait-seconds, then the last timing stands
        timings.set(0);
        double lasting = check.outlastEpisode(
                () -> {
                    timings.incrementAndGet();
                    now.addAndGet(SECOND);
                    return 0.2;
                },
                millis -> millis,
                0.1);
        assertThat(lasting).isEqualTo(0.2);
        // a second of timing and two of waiting each time: the 8th timing is the first to end past 20 s
        assertThat(timings).hasValue(8);

        // an export's shorter wait (4 s): the 2nd timing ends at 4 s, and its figure stands
        timings.set(0);
        double exported = check.outlastEpisode(
                () -> {
                    timings.incrementAndGet();
                    now.addAndGet(SECOND);
                    return 0.2;
                },
                millis -> millis,
                0.1,
                4 * SECOND);
        assertThat(exported).isEqualTo(0.2);
        assertThat(timings).hasValue(2);
    }

    /** Every round of a pass times reference i at ratios.get()[i] times the model's prediction. */
    private HostSpeedCheck timedBy(java.util.function.Supplier<double[]> ratios) {
        List<SubnetConfig> references = HostSpeedCheck.references(SPACE);
        return new HostSpeedCheck(
                subnets,
                models -> {
                    now.addAndGet(SECOND);
                    double[] pass = ratios.get();
                    double[][] timed = new double[HostSpeedCheck.ROUNDS][models.size()];
                    for (double[] round : timed) {
                        for (byte[] model : models) {
                            round[model[0]] = pass[model[0]] * MODEL.applyAsDouble(references.get(model[0]));
                        }
                    }
                    return timed;
                },
                new HostSpeedCheck.Settings(0.10, 1.25, 20 * SECOND, 60 * SECOND, HOUR),
                new HostQuiet(),
                history,
                now::get,
                millis -> now.addAndGet(millis * 1_000_000));
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new HostSpeedCheck.Settings(-0.1, 1.25, SECOND, SECOND, HOUR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tolerance");
        assertThatThrownBy(() -> new HostSpeedCheck.Settings(Double.NaN, 1.25, SECOND, SECOND, HOUR))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HostSpeedCheck.Settings(0.10, 1.05, SECOND, SECOND, HOUR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("episode");
        assertThatThrownBy(() -> new HostSpeedCheck.Settings(0.10, 1.25, SECOND, SECOND, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("history-minutes");
    }

    @Test
    void theHostsVariationIsTheSpreadOfItsPassesWithSlowEpisodesLeftOut() {
        // each pass times every reference at the pass's ratio; a minute between passes
        List<Double> byPass = List.of(1.00, 1.10, 1.05, 2.00, 1.02, 1.08, 1.04, 1.06, 1.01, 1.09);
        AtomicInteger pass = new AtomicInteger();
        HostSpeedCheck check = timedBy(() -> {
            double ratio = byPass.get(Math.min(pass.getAndIncrement(), byPass.size() - 1));
            return new double[] {ratio, ratio, ratio, ratio, ratio, ratio};
        });
        HostSpeedCheck.Variation none = check.variation(SPACE, 10, MODEL);
        assertThat(none.passes()).isZero();
        assertThat(none.percent()).isNull();

        for (int i = 0; i < 4; i++) {
            check.watch(SPACE, 10, MODEL);
            now.addAndGet(59 * SECOND);
        }
        // 4 passes, one of them (2.00) a slow episode: too few to state
        HostSpeedCheck.Variation early = check.variation(SPACE, 10, MODEL);
        assertThat(early.passes()).isEqualTo(3);
        assertThat(early.episodes()).isEqualTo(1);
        assertThat(early.percent()).isNull();
        assertThat(early.slowestEpisode()).isCloseTo(2.00 / 1.075, offset(1e-9));

        for (int i = 4; i < byPass.size(); i++) {
            check.watch(SPACE, 10, MODEL);
            now.addAndGet(59 * SECOND);
        }
        HostSpeedCheck.Variation variation = check.variation(SPACE, 10, MODEL);
        assertThat(variation.passes()).isEqualTo(9);
        assertThat(variation.episodes()).isEqualTo(1);
        // of 9 kept ratios 1.00 .. 1.10, the 10th percentile is the least, the 90th the largest
        assertThat(variation.percent()).isCloseTo(10.0, offset(1e-9));
        assertThat(variation.minutes()).isEqualTo(9);
        assertThat(variation.slowestEpisode()).isCloseTo(2.00 / 1.055, offset(1e-9));
        // the watch never counts as a check a search may reuse
        assertThat(check.check(SPACE, 10, MODEL).ageSeconds()).isZero();
    }

    @Test
    void theHistoryKeepsTheLastHourPerModel() {
        AtomicInteger pass = new AtomicInteger();
        HostSpeedCheck check = timedBy(() -> {
            double ratio = 1 + 0.01 * (pass.getAndIncrement() % 5);
            return new double[] {ratio, ratio, ratio, ratio, ratio, ratio};
        });
        for (int i = 0; i < 90; i++) {
            check.watch(SPACE, 10, MODEL);
            now.addAndGet(59 * SECOND);
        }
        HostSpeedCheck.Variation hour = check.variation(SPACE, 10, MODEL);
        assertThat(hour.passes()).isEqualTo(60);
        assertThat(hour.minutes()).isEqualTo(59);
        assertThat(hour.percent()).isCloseTo(4.0, offset(1e-9));
        assertThat(hour.episodes()).isZero();
        assertThat(hour.slowestEpisode()).isNull();

        // a refitted model starts its own history
        ToDoubleFunction<SubnetConfig> refitted = config -> 2 * MODEL.applyAsDouble(config);
        check.watch(SPACE, 10, refitted);
        assertThat(check.variation(SPACE, 10, refitted).passes()).isEqualTo(1);
        assertThat(check.variation(SPACE, 10, MODEL).passes()).isBetween(59, 61);
    }
}
