package dev.tailor.latency;

import dev.tailor.catalogue.Device;
import dev.tailor.space.SearchSpace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The {@code latency_model} table: calibrated models with their held-out error. */
@Component
class LatencyModelStore {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;

    LatencyModelStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A stored model, as it was fitted and scored. */
    record Stored(
            long id,
            LatencyModel model,
            PredictionAccuracy heldOutError,
            HeldOutPairs heldOutPairs,
            int fitSubnets,
            String runtimeVersion) {}

    long insert(Device device, SearchSpace space, int classes, LatencyCalibration.Result result) {
        LatencyModel model = result.model();
        PredictionAccuracy error = result.heldOutError();
        return jdbc.sql("""
                        insert into latency_model (device_id, space_name, space_spec, num_classes, layer_table,
                            slope, per_layer_ms, intercept_ms, fit_subnets, held_out_subnets,
                            mape, rmse_ms, kendall_tau, within10, timed_runs, pass_seconds, runtime_version,
                            held_out_pairs)
                        values (:device, :spaceName, cast(:spec as jsonb), :classes, cast(:table as jsonb),
                            :slope, :perLayer, :intercept, :fit, :heldOut,
                            :mape, :rmse, :tau, :within10, :runs, :seconds, :runtime, cast(:pairs as jsonb))
                        returning id""")
                .param("device", device.getId())
                .param("spaceName", space.name())
                .param("spec", space.toJson())
                .param("classes", classes)
                .param("table", JSON.writeValueAsString(model.table()))
                .param("slope", model.slope())
                .param("perLayer", model.perLayer())
                .param("intercept", model.intercept())
                .param("fit", result.fit().size())
                .param("heldOut", error.count())
                .param("mape", error.mape())
                .param("rmse", error.rmseMs())
                .param("tau", error.kendallTau())
                .param("within10", error.within10())
                .param("runs", result.layers().get(0).stats().runs())
                .param("seconds", result.seconds())
                .param("runtime", result.runtimeVersion())
                .param("pairs", pairsJson(result.heldOutPairs()))
                .query(Long.class)
                .single();
    }

    /** The device's newest model for the space and class count. */
    Optional<Stored> newest(Device device, SearchSpace space, int classes) {
        return jdbc.sql("""
                        select id, layer_table::text, slope, per_layer_ms, intercept_ms, fit_subnets,
                            held_out_subnets, mape, rmse_ms, kendall_tau, within10, runtime_version,
                            held_out_pairs::text
                        from latency_model
                        where device_id = :device and space_name = :spaceName and num_classes = :classes
                            and space_spec = cast(:spec as jsonb)
                        order by created_at desc, id desc limit 1""")
                .param("device", device.getId())
                .param("spaceName", space.name())
                .param("classes", classes)
                .param("spec", space.toJson())
                .query((rs, row) -> new Stored(
                        rs.getLong("id"),
                        LatencyModel.of(
                                table(rs.getString("layer_table")),
                                rs.getDouble("slope"),
                                rs.getDouble("per_layer_ms"),
                                rs.getDouble("intercept_ms")),
                        new PredictionAccuracy(
                                rs.getInt("held_out_subnets"),
                                rs.getDouble("mape"),
                                rs.getDouble("rmse_ms"),
                                rs.getDouble("kendall_tau"),
                                rs.getDouble("within10")),
                        pairs(rs.getString("held_out_pairs")),
                        rs.getInt("fit_subnets"),
                        rs.getString("runtime_version")))
                .optional();
    }

    private static String pairsJson(HeldOutPairs pairs) {
        return JSON.writeValueAsString(pairs.pairs().stream()
                .map(pair -> new double[] {pair.predictedMs(), pair.measuredMs()})
                .toList());
    }

    /** A model stored before held-out pairs were kept has none. */
    private static HeldOutPairs pairs(String json) {
        if (json == null) {
            return HeldOutPairs.NONE;
        }
        List<HeldOutPairs.Pair> pairs = new ArrayList<>();
        for (JsonNode pair : JSON.readTree(json)) {
            pairs.add(new HeldOutPairs.Pair(pair.get(0).asDouble(), pair.get(1).asDouble()));
        }
        return new HeldOutPairs(pairs);
    }

    private static Map<String, Double> table(String json) {
        JsonNode node = JSON.readTree(json);
        Map<String, Double> table = new LinkedHashMap<>();
        for (String key : node.propertyNames()) {
            table.put(key, node.get(key).asDouble());
        }
        return table;
    }
}
