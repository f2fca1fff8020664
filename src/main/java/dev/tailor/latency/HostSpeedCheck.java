package dev.tailor.latency;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Compares host-cpu's stored latency model with the host as it runs now, before a search on a
 * latency budget: a few reference subnets of the space timed in one interleaved pass of 8 rounds
 * over about a second; the host's ratio is the lower quartile of the rounds' ratios of measured to
 * predicted latency (each the median over the references), since other work and a model's first
 * runs only ever slow a round.
 *
 * <p>Two things move that ratio on a shared VM, and they are told apart by size. A drift of the
 * host's usual speed is small and lasting (the model timed at 04:52 read 1.08-1.11 an hour later):
 * beyond the tolerance, the model's predictions are scaled by it. A slow episode is large and
 * passes (a 5-minute watch of the references, nothing else running: 1.8-1.9x for 30 s, 11 % of the
 * time over 1.4x, otherwise within 1.03-1.16x of the fastest decile): an answer is stored for good,
 * so it must not be searched, nor its file timed, for a host in an episode. A ratio of
 * {@code episode} or more is checked again every 2 s for up to {@code max-wait-seconds}; one that
 * lasts that long is taken as the host's speed. A check is reused for a while, so a burst of
 * requests searches with one factor and tighter budgets in it never get more accurate picks.
 *
 * <p>Settings under {@code tailor.latency.speed-check}: {@code tolerance} (0.03: about the served
 * model's own held-out error here, MAPE 2.4 %; at 0.10 a host 8.5 % slower than its model went
 * unscaled and picks measured up to 4.4 % over their budgets), {@code episode} (1.25),
 * {@code max-wait-seconds} (10: the check and an export's timing each wait at most that; episodes here
 * often last longer, and a cold request should stay near 15 s), {@code fresh-seconds} (60).
 */
@Component
public class HostSpeedCheck {

    private static final Logger log = LoggerFactory.getLogger(HostSpeedCheck.class);

    /** Random reference subnets besides the space's smallest and largest. */
    static final int RANDOM_REFERENCES = 4;

    /** Their seed: the same references every time. */
    static final long REFERENCE_SEED = 77;

    private final SubnetModels subnets;
    private final RoundTimer timer;
    private final double tolerance;
    private final double episode;
    private final long maxWaitNanos;
    private final long freshNanos;
    private final LongSupplier clock;
    private final Sleeper sleeper;
    private final HostQuiet quiet;
    private final Map<String, List<byte[]>> referenceModels = new ConcurrentHashMap<>();
    private final Map<String, Checked> recent = new ConcurrentHashMap<>();
    private final HostSpeedHistory history;
    private final long historyMillis;

    @Autowired
    HostSpeedCheck(
            SubnetModels subnets,
            HostQuiet quiet,
            HostSpeedHistory history,
            @Value("${tailor.latency.speed-check.tolerance:0.03}") double tolerance,
            @Value("${tailor.latency.speed-check.episode:1.25}") double episode,
            @Value("${tailor.latency.speed-check.max-wait-seconds:10}") long maxWaitSeconds,
            @Value("${tailor.latency.speed-check.fresh-seconds:60}") long freshSeconds,
            @Value("${tailor.latency.speed-check.history-minutes:60}") long historyMinutes) {
        this(
                subnets,
                // 6 models, 6 timed runs each per round after 20 warm-up runs, 8 rounds 150 ms apart: about
                // 1.1 s; after 5 warm-up runs the first round still read 1.27-1.70 where the others read 1.05-1.15
                models -> LatencyMeter.builder()
                        .optWarmupRuns(20)
                        .optTimedRuns(6 * ROUNDS)
                        .optRoundPause(150)
                        .build()
                        .measureRoundMedians(models, ROUNDS),
                new Settings(
                        tolerance,
                        episode,
                        maxWaitSeconds * SECOND,
                        freshSeconds * SECOND,
                        historyMinutes * 60 * SECOND),
                quiet,
                history,
                System::nanoTime,
                Thread::sleep);
    }

    private static final long SECOND = 1_000_000_000L;

    /** Between checks of a slow episode. */
    static final long RECHECK_MILLIS = 2000;

    /** What the check is told. */
    record Settings(double tolerance, double episode, long maxWaitNanos, long freshNanos, long historyNanos) {
        Settings {
            if (!(tolerance >= 0)
                    || !(episode > 1 + tolerance)
                    || maxWaitNanos < 0
                    || freshNanos < 0
                    || historyNanos <= 0) {
                throw new IllegalArgumentException("tailor.latency.speed-check: tolerance >= 0, episode > 1 +"
                        + " tolerance, max-wait-seconds >= 0, fresh-seconds >= 0 and history-minutes > 0; got"
                        + " tolerance " + tolerance + ", episode " + episode + ", max-wait-seconds "
                        + maxWaitNanos / SECOND + ", fresh-seconds " + freshNanos / SECOND + ", history-minutes "
                        + historyNanos / (60 * SECOND));
            }
        }
    }

    /** Waits; {@link Thread#sleep} but in tests. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    /** Times models together; each round's median per model, {@code [round][model]}. */
    @FunctionalInterface
    interface RoundTimer {
        double[][] time(List<byte[]> models);
    }

    /** Rounds of a check. */
    static final int ROUNDS = 8;

    /** With another way to time models, another history, another clock and another way to wait (tests). */
    HostSpeedCheck(
            SubnetModels subnets,
            RoundTimer timer,
            Settings settings,
            HostQuiet quiet,
            HostSpeedHistory history,
            LongSupplier clock,
            Sleeper sleeper) {
        this.subnets = subnets;
        this.quiet = quiet;
        this.timer = timer;
        this.tolerance = settings.tolerance();
        this.episode = settings.episode();
        this.maxWaitNanos = settings.maxWaitNanos();
        this.freshNanos = settings.freshNanos();
        this.history = history;
        this.historyMillis = settings.historyNanos() / 1_000_000;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /**
     * What a check found.
     *
     * @param measuredOverPredicted the host's ratio: the lower quartile over the rounds of each
     *     round's median over the references of measured / predicted
     * @param references how many reference subnets were timed
     * @param fastestRound the least of the rounds' ratios
     * @param slowestRound the largest: far above the ratio, the host slowed during the check
     * @param applied whether the model's predictions are scaled by the ratio (it was further from 1
     *     than {@code tolerance})
     * @param tolerance how far from 1 the ratio may be before it is applied
     * @param waitedSeconds how long the check waited for a slow episode to pass
     * @param ageSeconds how long before this use the references were timed
     * @param slowEpisodeRatio the ratio the check read when it found the host in a slow episode and
     *     took {@code measuredOverPredicted} from the host's usual state in its kept timings instead
     *     of waiting; null otherwise
     */
    public record Result(
            double measuredOverPredicted,
            int references,
            double fastestRound,
            double slowestRound,
            boolean applied,
            double tolerance,
            long waitedSeconds,
            long ageSeconds,
            Double slowEpisodeRatio) {

        /** What to multiply the model's predictions by: the ratio where applied, else 1. */
        public double factor() {
            return applied ? measuredOverPredicted : 1;
        }
    }

    private record Checked(
            double ratio,
            int references,
            double fastest,
            double slowest,
            long waitedNanos,
            long atNanos,
            Double episodeRatio) {

        /** The host's usual ratio in place of this pass's, which read a slow episode. */
        Checked asUsual(double usual) {
            return new Checked(usual, references, fastest, slowest, waitedNanos, atNanos, ratio);
        }
    }

    /**
     * How far host-cpu's speed moved between the passes of the last {@code history-minutes}
     * against one model: a file timed at one moment and again at another differ by about this
     * much besides the model's error.
     *
     * @param percent 100 x (the 90th percentile of the passes' ratios over the 10th - 1), slow
     *     episodes left out (a pass at {@code episode} times the passes' median or more: no export
     *     is timed in one); null until {@value KeptTimings#ENOUGH} passes are kept
     * @param passes the passes it comes from, episodes left out
     * @param episodes the passes left out as slow episodes
     * @param minutes from the first kept pass to the last
     * @param slowestEpisode the slowest episode's ratio over the passes' median; null without one
     */
    public record Variation(Double percent, int passes, int episodes, long minutes, Double slowestEpisode) {}

    /** The space's smallest and largest subnets and {@value #RANDOM_REFERENCES} seeded random ones. */
    public static List<SubnetConfig> references(SearchSpace space) {
        List<SubnetConfig> references = new ArrayList<>(List.of(space.smallest(), space.largest()));
        Random random = new Random(REFERENCE_SEED);
        for (int i = 0; i < RANDOM_REFERENCES; i++) {
            references.add(space.sample(random));
        }
        return references;
    }

    /**
     * Times the references now, or reuses a check of the same model younger than
     * {@code fresh-seconds}. One check at a time: two on a small host would slow each other.
     *
     * @param model the served model's prediction, in milliseconds
     */
    public synchronized Result check(SearchSpace space, int classes, ToDoubleFunction<SubnetConfig> model) {
        double[] predicted = predictions(space, model);
        String spaceKey = spaceKey(space, classes);
        String key = modelKey(spaceKey, predicted);
        long now = clock.getAsLong();
        Checked last = recent.get(key);
        if (last == null || now - last.atNanos() > freshNanos) {
            List<byte[]> models = referenceModels(space, classes);
            long started = clock.getAsLong();
            last = timeOnce(space, models, predicted, key, 0);
            // an answer is stored for good and asked for again in the host's usual state: search for
            // that state, known from the kept timings, rather than wait the episode out or search for it
            OptionalDouble usual = last.ratio() >= episode ? usualRatio(key) : OptionalDouble.empty();
            if (usual.isPresent()) {
                log.info(
                        "host-cpu runs {}x its latency model: a slow episode; searching with its usual {}x of the"
                                + " last {} min",
                        last.ratio(),
                        usual.getAsDouble(),
                        historyMillis / 60_000);
                last = last.asUsual(usual.getAsDouble());
            }
            while (last.ratio() >= episode && clock.getAsLong() - started < maxWaitNanos) {
                log.info(
                        "host-cpu runs {}x its latency model: a slow episode, checking again in {} ms",
                        last.ratio(),
                        RECHECK_MILLIS);
                try {
                    sleeper.sleep(RECHECK_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the host to speed up", e);
                }
                last = timeOnce(space, models, predicted, key, clock.getAsLong() - started);
            }
            recent.keySet().removeIf(k -> k.startsWith(spaceKey + "/"));
            recent.put(key, last);
            now = last.atNanos();
        }
        boolean applied = Double.isFinite(last.ratio()) && last.ratio() > 0 && Math.abs(last.ratio() - 1) > tolerance;
        return new Result(
                last.ratio(),
                last.references(),
                last.fastest(),
                last.slowest(),
                applied,
                tolerance,
                last.waitedNanos() / SECOND,
                Math.max(0, now - last.atNanos()) / SECOND,
                last.episodeRatio());
    }

    /** The host's usual speed against the model from its kept timings, if they tell it. */
    private OptionalDouble usualRatio(String key) {
        return new KeptTimings(history.recent(key, historyMillis), episode).usual();
    }

    /**
     * One pass over the references, kept in the history of the host's speed against the model and
     * nothing else: no wait for a slow episode, no check reused by a search ({@link HostSpeedWatch}).
     *
     * @return the pass's ratio of measured to predicted
     */
    public synchronized double watch(SearchSpace space, int classes, ToDoubleFunction<SubnetConfig> model) {
        double[] predicted = predictions(space, model);
        return timeOnce(
                        space,
                        referenceModels(space, classes),
                        predicted,
                        modelKey(spaceKey(space, classes), predicted),
                        0)
                .ratio();
    }

    /** How far the host's speed moved against the model over the kept passes. */
    public Variation variation(SearchSpace space, int classes, ToDoubleFunction<SubnetConfig> model) {
        return new KeptTimings(
                        history.recent(modelKey(spaceKey(space, classes), predictions(space, model)), historyMillis),
                        episode)
                .variation();
    }

    private static double[] predictions(SearchSpace space, ToDoubleFunction<SubnetConfig> model) {
        return references(space).stream().mapToDouble(model).toArray();
    }

    private static String spaceKey(SearchSpace space, int classes) {
        return space.toJson() + "/" + classes;
    }

    /** A model refitted since the last pass predicts the references differently: a new key. */
    private static String modelKey(String spaceKey, double[] predicted) {
        return spaceKey + "/" + Arrays.toString(predicted);
    }

    private List<byte[]> referenceModels(SearchSpace space, int classes) {
        return referenceModels.computeIfAbsent(
                spaceKey(space, classes), k -> subnets.randomWeights(space, classes, references(space)));
    }

    /**
     * Runs {@code timing} and, while what it measured ({@code millis}) reads {@code episode} times
     * what the model expects or more, waits 2 s and runs it again, up to {@code max-wait-seconds}:
     * a file timed in a slow episode of the host is not stored as its latency. The model's own
     * error here is a few percent, so a reading that far over it is the host, not the model.
     *
     * @param expectedMillis the model's prediction for what is timed, scaled by the last check
     * @return the last timing: the first one under the episode mark, or the last one tried
     */
    public <T> T outlastEpisode(Supplier<T> timing, ToDoubleFunction<T> millis, double expectedMillis) {
        return outlastEpisode(timing, millis, expectedMillis, maxWaitNanos);
    }

    /** As {@link #outlastEpisode(Supplier, ToDoubleFunction, double)}, waiting up to {@code maxWaitNanos}. */
    public <T> T outlastEpisode(
            Supplier<T> timing, ToDoubleFunction<T> millis, double expectedMillis, long maxWaitNanos) {
        long started = clock.getAsLong();
        T timed = timing.get();
        while (slowEpisode(millis.applyAsDouble(timed), expectedMillis) && clock.getAsLong() - started < maxWaitNanos) {
            log.info(
                    "timed {} ms where host-cpu's latency model expects {} ms: a slow episode, timing again in {} ms",
                    millis.applyAsDouble(timed),
                    expectedMillis,
                    RECHECK_MILLIS);
            try {
                sleeper.sleep(RECHECK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the host to speed up", e);
            }
            timed = timing.get();
        }
        return timed;
    }

    /**
     * Whether a timing reads a slow episode of the host: {@code episode} times what the model
     * expects or more ({@code expectedMillis > 0}; nothing is expected otherwise).
     */
    public boolean slowEpisode(double measuredMillis, double expectedMillis) {
        return expectedMillis > 0 && measuredMillis >= episode * expectedMillis;
    }

    /**
     * One pass over the references, kept in the model's history; {@code waitedNanos}: since the
     * check's first pass began.
     */
    private Checked timeOnce(SearchSpace space, List<byte[]> models, double[] predicted, String key, long waitedNanos) {
        // alone on this process's cores, as an export's timing is
        double[][] rounds = quiet.timing(() -> timer.time(models));
        double[] roundRatios = new double[rounds.length];
        for (int r = 0; r < rounds.length; r++) {
            double[] ratios = new double[predicted.length];
            for (int i = 0; i < ratios.length; i++) {
                ratios[i] = rounds[r][i] / predicted[i];
            }
            roundRatios[r] = median(ratios);
        }
        double[] sorted = roundRatios.clone();
        Arrays.sort(sorted);
        long at = clock.getAsLong();
        Checked checked = new Checked(
                lowerQuartile(sorted), predicted.length, sorted[0], sorted[sorted.length - 1], waitedNanos, at, null);
        log.info(
                "host-cpu speed check for {}: rounds' measured / predicted {}, host's ratio {}",
                space.name(),
                Arrays.toString(roundRatios),
                checked.ratio());
        history.keep(key, checked.ratio(), historyMillis);
        return checked;
    }

    /** The lower quartile of sorted values, nearest rank: of 8 rounds the second fastest. */
    static double lowerQuartile(double[] sorted) {
        return KeptTimings.nearestRank(sorted, 0.25);
    }

    static double median(double[] values) {
        return KeptTimings.median(values);
    }
}
