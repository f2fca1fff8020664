package dev.tailor.latency;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Builds this host's latency model for a search space the way the benchmark scored it: every
 * layer model of the space (the table), seeded random subnets to fit the correction on and other
 * ones to score it on, all timed in ONE interleaved pass. A host whose speed drifts over minutes
 * (this 2-vCPU VM drifts by more than 10 % within one) then slows the table, the fitted and the
 * held-out subnets alike; timed apart, the correction would fit the drift.
 */
public final class LatencyCalibration {

    /**
     * How much to time. Subnets are sampled with {@code seed}: the first {@code fitSubnets}
     * distinct ones fit the correction, the next {@code heldOutSubnets} score it. Every model
     * runs {@code warmupRuns} untimed, then {@code timedRuns} timed, spread over {@code rounds}.
     */
    public record Settings(int fitSubnets, int heldOutSubnets, int warmupRuns, int timedRuns, int rounds, long seed) {

        /** What the benchmark showed works here (60 fit, 97.5 % of held-out subnets within 10 %). */
        public static final Settings DEFAULT = new Settings(60, 40, 10, 200, 10, 2025);

        public Settings {
            if (fitSubnets < LatencyModel.MIN_MEASUREMENTS || heldOutSubnets < 1) {
                throw new IllegalArgumentException("a calibration fits on at least " + LatencyModel.MIN_MEASUREMENTS
                        + " subnets and scores on at least 1; got " + fitSubnets + " and " + heldOutSubnets);
            }
            if (warmupRuns < 0 || rounds < 1 || timedRuns < rounds) {
                throw new IllegalArgumentException("warm-up runs >= 0 and timed runs >= rounds >= 1; got " + warmupRuns
                        + ", " + timedRuns + ", " + rounds);
            }
        }
    }

    /** Times models together; on this host {@link LatencyMeter#measureInterleaved}. */
    @FunctionalInterface
    public interface Timer {
        List<LatencyStats> time(List<byte[]> models);
    }

    /** One layer of the table as timed, with the resolution of the subnet it was taken from. */
    public record TimedLayer(String key, int resolution, LatencyStats stats) {}

    /**
     * What one pass gave.
     *
     * @param model the correction fitted on {@code fit}, over the table of {@code layers}
     * @param heldOutError the model's error on {@code heldOut}
     * @param alsoTimed the extra configs the caller asked for, timed in the same pass, in order
     * @param seconds the pass's wall time (timing only)
     */
    public record Result(
            Settings settings,
            List<TimedLayer> layers,
            List<LatencyModel.Measured> fit,
            List<LatencyModel.Measured> heldOut,
            LatencyModel model,
            PredictionAccuracy heldOutError,
            List<LatencyStats> alsoTimed,
            double seconds) {

        /** The layer table: p50 milliseconds by key. */
        public Map<String, Double> table() {
            return p50s(layers);
        }

        public String runtimeVersion() {
            return layers.get(0).stats().runtimeVersion();
        }

        /** Each held-out subnet as the model predicts it and as it measured. */
        public HeldOutPairs heldOutPairs() {
            return HeldOutPairs.of(model, heldOut);
        }
    }

    private final Settings settings;
    private final Timer timer;

    public LatencyCalibration(Settings settings, Timer timer) {
        this.settings = settings;
        this.timer = timer;
    }

    /** Timed on this host with ONNX Runtime: batch 1, one intra-op thread. */
    public static LatencyCalibration onThisHost(Settings settings) {
        LatencyMeter meter = LatencyMeter.builder()
                .optWarmupRuns(settings.warmupRuns())
                .optTimedRuns(settings.timedRuns())
                .build();
        return new LatencyCalibration(settings, models -> meter.measureInterleaved(models, settings.rounds()));
    }

    /** The fit subnets, then the held-out ones: distinct, seeded, the same for the same settings. */
    public static List<SubnetConfig> sample(SearchSpace space, Settings settings) {
        int wanted = settings.fitSubnets() + settings.heldOutSubnets();
        Random random = new Random(settings.seed());
        LinkedHashSet<SubnetConfig> sampled = new LinkedHashSet<>();
        // a space smaller than the sample would never fill it
        for (long draws = 0; sampled.size() < wanted; draws++) {
            if (draws > 1000L * wanted) {
                throw new IllegalArgumentException("search space " + space.name() + " has fewer than " + wanted
                        + " distinct subnets to calibrate on");
            }
            sampled.add(space.sample(random));
        }
        return new ArrayList<>(sampled);
    }

    /**
     * Writes the space's layer models and the sampled subnets (plus {@code alsoTime}), times them
     * all in one pass, fits the correction and scores it.
     */
    public Result run(
            SearchSpace space,
            int classes,
            SubnetModels subnets,
            List<SubnetConfig> alsoTime,
            Consumer<String> progress) {
        List<SubnetLayers.Layer> layers =
                new ArrayList<>(SubnetLayers.ofSpace(space, classes).values());
        List<SubnetConfig> configs = sample(space, settings);
        List<SubnetConfig> whole = new ArrayList<>(configs);
        whole.addAll(alsoTime);
        progress.accept(String.format(
                Locale.ROOT,
                "writing %d layer models and %d subnets with random weights",
                layers.size(),
                whole.size()));
        List<byte[]> models = new ArrayList<>();
        layers.forEach(layer -> models.add(layer.model().get()));
        models.addAll(subnets.randomWeights(space, classes, whole));
        progress.accept(String.format(
                Locale.ROOT,
                "timing %d models in one interleaved pass: %d rounds, %d timed runs each after %d warm-up runs",
                models.size(),
                settings.rounds(),
                settings.timedRuns(),
                settings.warmupRuns()));
        long start = System.nanoTime();
        List<LatencyStats> timed = timer.time(models);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (timed.size() != models.size()) {
            throw new IllegalStateException("timed " + timed.size() + " of " + models.size() + " models");
        }
        List<TimedLayer> table = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            table.add(new TimedLayer(layers.get(i).key(), layers.get(i).resolution(), timed.get(i)));
        }
        List<LatencyModel.Measured> fit = new ArrayList<>();
        List<LatencyModel.Measured> heldOut = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            LatencyModel.Measured measured = new LatencyModel.Measured(
                    SubnetPlan.of(space, configs.get(i), classes),
                    timed.get(layers.size() + i).p50Ms());
            (i < settings.fitSubnets() ? fit : heldOut).add(measured);
        }
        List<LatencyStats> also = List.copyOf(timed.subList(layers.size() + configs.size(), timed.size()));
        LatencyModel model = LatencyModel.fit(p50s(table), fit);
        PredictionAccuracy error = model.accuracyOn(heldOut);
        progress.accept(String.format(
                Locale.ROOT,
                "timed in %.0f s; correction %.4f x table sum %+.5f ms per layer %+.5f ms, on %d held-out subnets:"
                        + " MAPE %.2f %%, %.1f %% within +-10 %%",
                seconds,
                model.slope(),
                model.perLayer(),
                model.intercept(),
                error.count(),
                100 * error.mape(),
                100 * error.within10()));
        return new Result(settings, List.copyOf(table), fit, heldOut, model, error, also, seconds);
    }

    private static Map<String, Double> p50s(List<TimedLayer> layers) {
        Map<String, Double> table = new LinkedHashMap<>();
        layers.forEach(layer -> table.put(layer.key(), layer.stats().p50Ms()));
        return table;
    }
}
