package dev.tailor.bench;

import dev.tailor.cost.SubnetCosts;
import dev.tailor.latency.HostLatencyCalibration;
import dev.tailor.latency.LatencyCalibration;
import dev.tailor.latency.LatencyModel;
import dev.tailor.latency.LatencyStats;
import dev.tailor.latency.PredictionAccuracy;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The latency model on this host ({@code host-cpu}), built and stored by the service's own
 * calibration ({@link HostLatencyCalibration}, so what is scored here is what the API serves): a
 * per-layer table measured by timing every layer of the space as a model of its own, a correction
 * fitted on whole subnets, and the model's error on other, held-out subnets, each timed whole; plus
 * the ONNX Runtime latency of the smallest and largest subnet, timed in the same pass. Weights are
 * random: latency depends on shapes, not values.
 */
final class LatencyBench {

    /** Rounds of the interleaved pass; each model runs runs/ROUNDS times per round. */
    static final int ROUNDS = 10;

    private final HostLatencyCalibration calibration;
    private final SearchSpace space;
    private final LatencyCalibration.Settings settings;
    private final int classes = 10;

    LatencyBench(HostLatencyCalibration calibration, SearchSpace space, int fitSubnets, int heldOutSubnets, int runs) {
        this.calibration = calibration;
        this.space = space;
        // a round runs every model at least once: fewer runs than rounds means fewer rounds
        this.settings = new LatencyCalibration.Settings(
                fitSubnets,
                heldOutSubnets,
                10,
                runs,
                Math.min(ROUNDS, runs),
                LatencyCalibration.Settings.DEFAULT.seed());
    }

    List<BenchReport> run(PrintStream log) {
        // The held-out subnets are timed twice in the one pass: the second copy is the noise floor.
        List<SubnetConfig> sampled = LatencyCalibration.sample(space, settings);
        List<SubnetConfig> alsoTime = new ArrayList<>(sampled.subList(settings.fitSubnets(), sampled.size()));
        alsoTime.add(space.smallest());
        alsoTime.add(space.largest());
        HostLatencyCalibration.Calibration calibrated =
                calibration.calibrate(space, classes, settings, alsoTime, line -> log.println("bench: " + line));
        LatencyCalibration.Result result = calibrated.result();
        Map<String, Double> table = result.table();
        List<LatencyModel.Measured> fit = result.fit();
        List<LatencyModel.Measured> heldOut = result.heldOut();
        List<LatencyStats> timed = result.alsoTimed();
        List<Double> again = new ArrayList<>();
        for (int i = 0; i < heldOut.size(); i++) {
            again.add(timed.get(i).p50Ms());
        }
        LatencyStats smallest = timed.get(timed.size() - 2);
        LatencyStats largest = timed.get(timed.size() - 1);
        LatencyModel model = result.model();
        LatencyModel uncorrected = LatencyModel.fit(table, List.of());
        PredictionAccuracy corrected = result.heldOutError();
        PredictionAccuracy rawSum = uncorrected.accuracyOn(heldOut);
        int models = table.size() + fit.size() + heldOut.size() + timed.size();
        double seconds = result.seconds();

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
                        + " %d layer models (the table), %d random subnets (seed %d) the correction is fitted on,"
                        + " %d other random subnets it is scored on, each exported and timed whole. The last row"
                        + " scores a second copy of the held-out subnets, timed in the same pass, as a prediction"
                        + " of the first: the host's own noise. Target: at least 95 %% within +-10 %%. %s",
                space.name(),
                result.runtimeVersion(),
                smallest.runs(),
                models,
                settings.rounds(),
                seconds,
                table.size(),
                fit.size(),
                settings.seed(),
                heldOut.size(),
                calibrated.modelId().isPresent()
                        ? "The service stored this model as host-cpu latency model #"
                                + calibrated.modelId().getAsLong() + " and serves it."
                        : "The model predicts a non-physical latency somewhere in the space: the service did not"
                                + " store it."));

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
        extremes.note("Batch 1, 1 intra-op thread, " + result.runtimeVersion() + ", " + smallest.runs()
                + " timed runs after 10 warm-up runs.");
        return List.of(accuracyReport, extremes);
    }
}
