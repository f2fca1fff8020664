package dev.tailor.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.tailor.cost.SubnetCosts;
import dev.tailor.export.ExportMetadata;
import dev.tailor.export.OnnxExport;
import dev.tailor.latency.LatencyMeter;
import dev.tailor.latency.LatencyModel;
import dev.tailor.latency.LatencyStats;
import dev.tailor.latency.PredictionAccuracy;
import dev.tailor.latency.SubnetLayers;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import dev.tailor.supernet.StaticSubnet;
import dev.tailor.supernet.Supernet;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The latency model on this host ({@code host-cpu}): a per-layer table measured by timing every
 * layer of the space as a model of its own, a correction fitted on whole subnets, and the
 * model's error on other, held-out subnets, each timed whole; plus the ONNX Runtime latency of the
 * smallest and largest subnet. Weights are random: latency depends on shapes, not values.
 */
final class LatencyBench {

    /** Rounds of the interleaved pass; each model runs runs/ROUNDS times per round. */
    static final int ROUNDS = 10;

    private final SearchSpace space;
    private final int fitSubnets;
    private final int heldOutSubnets;
    private final LatencyMeter meter;
    private final int classes = 10;

    LatencyBench(SearchSpace space, int fitSubnets, int heldOutSubnets, int runs) {
        this.space = space;
        this.fitSubnets = fitSubnets;
        this.heldOutSubnets = heldOutSubnets;
        this.meter = LatencyMeter.builder().optWarmupRuns(10).optTimedRuns(runs).build();
    }

    List<BenchReport> run(PrintStream log) {
        Map<String, SubnetLayers.Layer> layers = SubnetLayers.ofSpace(space, classes);
        Random random = new Random(2025);
        LinkedHashSet<SubnetConfig> sampled = new LinkedHashSet<>();
        while (sampled.size() < fitSubnets + heldOutSubnets) {
            sampled.add(space.sample(random));
        }
        List<SubnetConfig> configs = new ArrayList<>(sampled);
        // Everything is timed in one interleaved pass (all sessions open, round after round), so a
        // host whose speed drifts slows the table, the fitted and the held-out subnets alike. The
        // held-out subnets are in it twice: the second copy is the noise floor.
        List<String> keys = new ArrayList<>(layers.keySet());
        List<byte[]> models = new ArrayList<>();
        keys.forEach(key -> models.add(layers.get(key).model().get()));
        Engine.getInstance().setRandomSeed(3);
        try (NDManager manager = NDManager.newBaseManager()) {
            Supernet supernet = Supernet.create(space, classes, manager);
            for (SubnetConfig config : configs) {
                models.add(export(supernet, config, manager));
            }
            for (SubnetConfig config : configs.subList(fitSubnets, configs.size())) {
                models.add(export(supernet, config, manager));
            }
            models.add(export(supernet, space.smallest(), manager));
            models.add(export(supernet, space.largest(), manager));
        }
        log.printf(
                Locale.ROOT,
                "bench: timing %d layer models and %d whole subnets, interleaved%n",
                keys.size(),
                models.size() - keys.size());
        long start = System.nanoTime();
        List<LatencyStats> timed = meter.measureInterleaved(models, ROUNDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> table = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            table.put(keys.get(i), timed.get(i).p50Ms());
        }
        List<LatencyModel.Measured> fit = new ArrayList<>();
        List<LatencyModel.Measured> heldOut = new ArrayList<>();
        List<Double> again = new ArrayList<>();
        int offset = keys.size();
        for (int i = 0; i < configs.size(); i++) {
            LatencyModel.Measured measured = new LatencyModel.Measured(
                    SubnetPlan.of(space, configs.get(i), classes),
                    timed.get(offset + i).p50Ms());
            (i < fitSubnets ? fit : heldOut).add(measured);
        }
        offset += configs.size();
        for (int i = 0; i < heldOut.size(); i++) {
            again.add(timed.get(offset + i).p50Ms());
        }
        LatencyStats smallest = timed.get(timed.size() - 2);
        LatencyStats largest = timed.get(timed.size() - 1);
        LatencyModel model = LatencyModel.fit(table, fit);
        LatencyModel uncorrected = LatencyModel.fit(table, List.of());
        PredictionAccuracy corrected = accuracy(model, heldOut);
        PredictionAccuracy rawSum = accuracy(uncorrected, heldOut);

        BenchReport accuracyReport = new BenchReport(
                "Latency model accuracy on host-cpu",
                List.of(
                        "model",
                        "held-out subnets",
                        "MAPE %",
                        "RMSE ms",
                        "Kendall tau",
                        "within +-10 %",
                        "slope",
                        "per layer ms",
                        "intercept ms"));
        accuracyReport.row(
                "table sum + correction",
                corrected.count(),
                100 * corrected.mape(),
                corrected.rmseMs(),
                corrected.kendallTau(),
                100 * corrected.within10(),
                model.slope(),
                model.perLayer(),
                model.intercept());
        accuracyReport.row(
                "table sum alone",
                rawSum.count(),
                100 * rawSum.mape(),
                rawSum.rmseMs(),
                rawSum.kendallTau(),
                100 * rawSum.within10(),
                1.0,
                0.0,
                0.0);
        double[] first =
                heldOut.stream().mapToDouble(LatencyModel.Measured::millis).toArray();
        PredictionAccuracy retest = PredictionAccuracy.of(
                first, again.stream().mapToDouble(Double::doubleValue).toArray());
        accuracyReport.row(
                "re-measurement (noise floor)",
                retest.count(),
                100 * retest.mape(),
                retest.rmseMs(),
                retest.kendallTau(),
                100 * retest.within10(),
                "",
                "",
                "");
        accuracyReport.note(String.format(
                Locale.ROOT,
                "Space %s, batch 1, 1 intra-op thread, %s; every figure is the p50 of %d timed runs after 10"
                        + " warm-up runs, all %d models timed in one interleaved pass of %d rounds (%.0f s):"
                        + " %d layer models (the table), %d random subnets (seed 2025) the correction is fitted on,"
                        + " %d other random subnets it is scored on, each exported and timed whole. The last row"
                        + " scores a second copy of the held-out subnets, timed in the same pass, as a prediction"
                        + " of the first: the host's own noise. Target: at least 95 %% within +-10 %%.",
                space.name(),
                LatencyMeter.runtimeVersion(),
                smallest.runs(),
                timed.size(),
                ROUNDS,
                seconds,
                table.size(),
                fit.size(),
                heldOut.size()));

        BenchReport extremes = new BenchReport(
                "ONNX Runtime latency of the smallest and largest subnet on host-cpu",
                List.of("subnet", "MACs", "p50 ms", "p90 ms", "mean ms", "std ms", "predicted ms"));
        Map<String, LatencyStats> ends = new LinkedHashMap<>();
        ends.put("smallest", smallest);
        ends.put("largest", largest);
        for (Map.Entry<String, LatencyStats> entry : ends.entrySet()) {
            SubnetConfig config = entry.getKey().equals("smallest") ? space.smallest() : space.largest();
            SubnetPlan plan = SubnetPlan.of(space, config, classes);
            LatencyStats stats = entry.getValue();
            extremes.row(
                    entry.getKey() + " " + config.canonicalJson(),
                    SubnetCosts.of(plan).macs(),
                    stats.p50Ms(),
                    stats.p90Ms(),
                    stats.meanMs(),
                    stats.stdMs(),
                    model.predict(plan));
        }
        extremes.note("Batch 1, 1 intra-op thread, " + LatencyMeter.runtimeVersion() + ", " + smallest.runs()
                + " timed runs after 10 warm-up runs.");
        return List.of(accuracyReport, extremes);
    }

    private static PredictionAccuracy accuracy(LatencyModel model, List<LatencyModel.Measured> measured) {
        double[] predicted = new double[measured.size()];
        double[] actual = new double[measured.size()];
        for (int i = 0; i < measured.size(); i++) {
            predicted[i] = model.predict(measured.get(i).plan());
            actual[i] = measured.get(i).millis();
        }
        return PredictionAccuracy.of(predicted, actual);
    }

    private static float[] ones(int n) {
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        return ones;
    }

    private byte[] export(Supernet supernet, SubnetConfig config, NDManager manager) {
        try (StaticSubnet subnet = StaticSubnet.extract(supernet, config, manager)) {
            List<String> names = new ArrayList<>();
            for (int c = 0; c < classes; c++) {
                names.add(String.valueOf(c));
            }
            return OnnxExport.builder()
                    .setSubnet(subnet)
                    .setMetadata(new ExportMetadata(
                            "latency-bench",
                            config.canonicalJson(),
                            config.sha256(),
                            "none",
                            new float[space.inputChannels()],
                            ones(space.inputChannels()),
                            names,
                            null,
                            null,
                            0))
                    .build()
                    .toBytes();
        }
    }
}
