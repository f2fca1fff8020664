package dev.tailor.api;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.tailor.catalogue.DeviceRepository;
import dev.tailor.catalogue.LatencySource;
import io.swagger.v3.oas.annotations.media.Schema;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The catalogue's read model for subnet listings: one row per subnet with its newest validation
 * and test accuracy, its cost and, for a named device, its newest batch-1 latency there.
 */
@Component
class SubnetQuery {

    /** API sort key -> SQL expression; only these ever reach the SQL text. */
    private static final Map<String, String> SORT_COLUMNS = Map.of(
            "accuracy", "v.top1_accuracy",
            "testAccuracy", "t.top1_accuracy",
            "macs", "c.macs",
            "params", "c.params",
            "latency", "l.p50_ms",
            "createdAt", "s.created_at");

    static final String SORT_KEYS_TEXT = "accuracy, testAccuracy, macs, params, latency (needs device), createdAt";

    private static final String COST_JOIN = """
            left join subnet_cost c on c.subnet_id = s.id
            """;
    private static final String VALIDATION_JOIN = """
            left join lateral (select e.top1_accuracy, e.sample_count from evaluation e
                               where e.subnet_id = s.id and e.split = 'VALIDATION'
                               order by e.created_at desc, e.id desc limit 1) v on true
            """;
    private static final String TEST_JOIN = """
            left join lateral (select e.top1_accuracy, e.sample_count from evaluation e
                               where e.subnet_id = s.id and e.split = 'TEST'
                               order by e.created_at desc, e.id desc limit 1) t on true
            """;
    private static final String LATENCY_JOIN = """
            left join lateral (select m.p50_ms, m.p90_ms, m.source, m.resolution, m.measured_at
                               from latency_measurement m
                               where m.subnet_id = s.id and m.device_id = :deviceId and m.batch_size = 1
                               order by case m.source when 'MEASURED' then 0 when 'PREDICTED' then 1 else 2 end,
                                        m.measured_at desc, m.id desc limit 1) l on true
            """;
    private static final String FROM = " from subnet s " + COST_JOIN + VALIDATION_JOIN + TEST_JOIN + LATENCY_JOIN;

    private final JdbcClient jdbc;
    private final DeviceRepository devices;

    SubnetQuery(JdbcClient jdbc, DeviceRepository devices) {
        this.jdbc = jdbc;
        this.devices = devices;
    }

    record Filter(
            Long maxMacs, Double minAccuracy, String device, Double maxLatencyMs, String sortKey, boolean descending) {

        static Filter parse(Long maxMacs, Double minAccuracy, String device, Double maxLatencyMs, String sort) {
            boolean descending = sort.startsWith("-");
            String key = descending ? sort.substring(1) : sort;
            if (!SORT_COLUMNS.containsKey(key)) {
                throw Problems.badField(
                        "sort",
                        "'" + sort + "' is not a sort key; use one of " + SORT_KEYS_TEXT
                                + ", with '-' in front for descending");
            }
            if (device == null && maxLatencyMs != null) {
                throw Problems.badField("maxLatencyMs", "needs device: latency is per device");
            }
            if (device == null && key.equals("latency")) {
                throw Problems.badField("sort", "sorting by latency needs device: latency is per device");
            }
            return new Filter(maxMacs, minAccuracy, device, maxLatencyMs, key, descending);
        }
    }

    @Schema(description = "A subnet in the catalogue with what is known of it.")
    record SubnetRow(
            String configSha256,

            @Schema(types = "object", description = "Canonical subnet config") @JsonRawValue
            String config,

            Accuracy accuracy,
            Cost cost,

            @Schema(description = "Present when a device was named and the subnet has a latency on it")
            Latency latency,

            OffsetDateTime createdAt) {}

    // named apart from SpecializationResponse's Accuracy and Latency: springdoc names a schema after the
    // record's simple name, and of two records with one name the spec would describe only one
    @Schema(name = "SubnetAccuracy", description = "Newest measured top-1 accuracies, 0..1; null when not evaluated")
    record Accuracy(Double validation, Integer validationSamples, Double test, Integer testSamples) {}

    @Schema(description = "Cost counted from the config; null when not counted yet")
    record Cost(long macs, long params, long peakActivationBytes) {}

    @Schema(name = "SubnetLatency", description = "The subnet's newest batch-1 latency on the named device")
    record Latency(
            String device,
            double p50Ms,
            Double p90Ms,
            LatencySource source,
            int batchSize,
            int resolution,
            OffsetDateTime measuredAt) {}

    List<SubnetRow> find(UUID supernetId, Filter filter, int page, int size) {
        Long deviceId = deviceId(filter);
        String sql = "select s.config_sha256, s.config::text as config, s.created_at, c.macs, c.params,"
                + " c.peak_activation_bytes, v.top1_accuracy as val_acc, v.sample_count as val_n,"
                + " t.top1_accuracy as test_acc, t.sample_count as test_n, l.p50_ms, l.p90_ms, l.source,"
                + " l.resolution, l.measured_at "
                + FROM + where(filter) + " order by " + SORT_COLUMNS.get(filter.sortKey())
                + (filter.descending() ? " desc" : " asc") + " nulls last, s.id limit :limit offset :offset";
        return jdbc.sql(sql)
                .param("supernetId", supernetId)
                .param("deviceId", deviceId, java.sql.Types.BIGINT)
                .params(filterParams(filter))
                .param("limit", size)
                .param("offset", (long) page * size)
                .query((rs, n) -> row(rs, filter.device()))
                .list();
    }

    long count(UUID supernetId, Filter filter) {
        Long deviceId = deviceId(filter);
        // only the joins the filter reads: each left join keeps every subnet row, so the count is the same,
        // and a listing no longer pays for its lateral lookups twice (once for the page, once for the count)
        String joins = (filter.maxMacs() != null ? COST_JOIN : "")
                + (filter.minAccuracy() != null ? VALIDATION_JOIN : "")
                + (filter.maxLatencyMs() != null ? LATENCY_JOIN : "");
        return jdbc.sql("select count(*) from subnet s " + joins + where(filter))
                .param("supernetId", supernetId)
                .param("deviceId", deviceId, java.sql.Types.BIGINT)
                .params(filterParams(filter))
                .query(Long.class)
                .single();
    }

    private Long deviceId(Filter filter) {
        if (filter.device() == null) {
            return null;
        }
        return devices.findByName(filter.device())
                .orElseThrow(() -> Problems.badField(
                        "device", "no device named '" + filter.device() + "'; GET /api/v1/devices lists them"))
                .getId();
    }

    private static String where(Filter filter) {
        List<String> conditions = new ArrayList<>(List.of("s.supernet_id = :supernetId"));
        if (filter.maxMacs() != null) {
            conditions.add("c.macs <= :maxMacs");
        }
        if (filter.minAccuracy() != null) {
            conditions.add("v.top1_accuracy >= :minAccuracy");
        }
        if (filter.maxLatencyMs() != null) {
            conditions.add("l.p50_ms <= :maxLatencyMs");
        }
        return " where " + String.join(" and ", conditions);
    }

    private static Map<String, Object> filterParams(Filter filter) {
        Map<String, Object> params = new java.util.HashMap<>();
        if (filter.maxMacs() != null) {
            params.put("maxMacs", filter.maxMacs());
        }
        if (filter.minAccuracy() != null) {
            params.put("minAccuracy", filter.minAccuracy());
        }
        if (filter.maxLatencyMs() != null) {
            params.put("maxLatencyMs", filter.maxLatencyMs());
        }
        return params;
    }

    private static SubnetRow row(ResultSet rs, String device) throws SQLException {
        Cost cost = rs.getObject("macs") == null
                ? null
                : new Cost(rs.getLong("macs"), rs.getLong("params"), rs.getLong("peak_activation_bytes"));
        Accuracy accuracy = new Accuracy(
                rs.getObject("val_acc", Double.class),
                rs.getObject("val_n", Integer.class),
                rs.getObject("test_acc", Double.class),
                rs.getObject("test_n", Integer.class));
        Latency latency = rs.getObject("p50_ms") == null
                ? null
                : new Latency(
                        device,
                        rs.getDouble("p50_ms"),
                        rs.getObject("p90_ms", Double.class),
                        LatencySource.valueOf(rs.getString("source")),
                        1,
                        rs.getInt("resolution"),
                        rs.getObject("measured_at", OffsetDateTime.class));
        return new SubnetRow(
                rs.getString("config_sha256"),
                rs.getString("config"),
                accuracy,
                cost,
                latency,
                rs.getObject("created_at", OffsetDateTime.class));
    }
}
