package dev.tailor.latency;

import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.DeviceRepository;
import dev.tailor.catalogue.LatencyMeasurement;
import dev.tailor.catalogue.LatencyMeasurementRepository;
import dev.tailor.catalogue.LatencySource;
import dev.tailor.catalogue.SubnetRepository;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps every catalogued subnet's latency on every device as good as the device's data allows:
 * measured where an agent or the host timed it; otherwise predicted by the device's latency model
 * (its measured layer table, corrected on its measured subnets) once the model can be fitted;
 * otherwise a roofline estimate from the device's published peak and bandwidth. Predictions and
 * estimates are stored with their source and replaced on every refresh; measurements never are.
 */
@Component
public class DeviceLatencies {

    /** Whole-subnet measurements a device needs before its correction is fitted. */
    static final int MIN_MEASURED_SUBNETS = 4;

    private final JdbcClient jdbc;
    private final DeviceRepository devices;
    private final SubnetRepository subnets;
    private final LatencyMeasurementRepository measurements;
    private final TransactionTemplate transactions;

    DeviceLatencies(
            JdbcClient jdbc,
            DeviceRepository devices,
            SubnetRepository subnets,
            LatencyMeasurementRepository measurements,
            TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.devices = devices;
        this.subnets = subnets;
        this.measurements = measurements;
        this.transactions = transactions;
    }

    /** What a refresh wrote for one device. */
    public record Refresh(String device, boolean modelFitted, int predicted, int estimated) {}

    public List<Refresh> refreshAll() {
        return devices.findAll().stream().map(this::refresh).toList();
    }

    public Refresh refresh(Device device) {
        return transactions.execute(status -> {
            Map<String, Double> table = table(device);
            Map<Long, Double> measured = measuredMillis(device);
            List<CatalogueSubnet> catalogue = catalogue();
            List<LatencyModel.Measured> fitOn = new ArrayList<>();
            for (CatalogueSubnet subnet : catalogue) {
                Double millis = measured.get(subnet.id());
                if (millis != null && covers(table, subnet.plan())) {
                    fitOn.add(new LatencyModel.Measured(subnet.plan(), millis));
                }
            }
            LatencyModel model = fitOn.size() >= MIN_MEASURED_SUBNETS ? LatencyModel.fit(table, fitOn) : null;
            int predicted = 0;
            int estimated = 0;
            for (CatalogueSubnet subnet : catalogue) {
                if (measured.containsKey(subnet.id())) {
                    continue;
                }
                jdbc.sql("delete from latency_measurement where device_id = :device and subnet_id = :subnet"
                                + " and source in ('PREDICTED', 'ESTIMATED')")
                        .param("device", device.getId())
                        .param("subnet", subnet.id())
                        .update();
                LatencyMeasurement.Timing timing = null;
                if (model != null && covers(table, subnet.plan())) {
                    timing = timing(model.predict(subnet.plan()), "latency model", LatencySource.PREDICTED);
                    predicted++;
                } else if (device.getPeakGflops() != null && device.getMemoryGbps() != null) {
                    timing = timing(
                            Roofline.millis(subnet.plan(), device.getPeakGflops(), device.getMemoryGbps()),
                            "roofline",
                            LatencySource.ESTIMATED);
                    estimated++;
                }
                if (timing != null) {
                    measurements.save(LatencyMeasurement.ofSubnet(
                            device,
                            subnets.getReferenceById(subnet.id()),
                            1,
                            subnet.plan().resolution(),
                            timing));
                }
            }
            return new Refresh(device.getName(), model != null, predicted, estimated);
        });
    }

    private static LatencyMeasurement.Timing timing(double millis, String how, LatencySource source) {
        return new LatencyMeasurement.Timing(Math.max(0, millis), null, null, null, null, null, how, source);
    }

    private static boolean covers(Map<String, Double> table, SubnetPlan plan) {
        return SubnetLayers.of(plan).stream().allMatch(layer -> table.containsKey(layer.key()));
    }

    /** The newest measured batch-1 p50 of every layer key on the device. */
    Map<String, Double> table(Device device) {
        Map<String, Double> table = new HashMap<>();
        jdbc.sql("select distinct on (layer_key) layer_key, p50_ms from latency_measurement"
                        + " where device_id = :device and layer_key is not null and source = 'MEASURED'"
                        + " and batch_size = 1 order by layer_key, measured_at desc, id desc")
                .param("device", device.getId())
                .query((rs, row) -> table.put(rs.getString(1), rs.getDouble(2)))
                .list();
        return table;
    }

    private Map<Long, Double> measuredMillis(Device device) {
        Map<Long, Double> measured = new HashMap<>();
        jdbc.sql("select distinct on (subnet_id) subnet_id, p50_ms from latency_measurement"
                        + " where device_id = :device and subnet_id is not null and source = 'MEASURED'"
                        + " and batch_size = 1 order by subnet_id, measured_at desc, id desc")
                .param("device", device.getId())
                .query((rs, row) -> measured.put(rs.getLong(1), rs.getDouble(2)))
                .list();
        return measured;
    }

    /** A catalogued subnet with the layer plan its supernet gives it. */
    record CatalogueSubnet(long id, SubnetPlan plan) {}

    List<CatalogueSubnet> catalogue() {
        Map<String, SearchSpace> spaces = new HashMap<>();
        return jdbc
                .sql("select s.id, s.config::text, n.space_spec::text, n.num_classes"
                        + " from subnet s join supernet n on n.id = s.supernet_id order by s.id")
                .query((rs, row) -> {
                    try {
                        SearchSpace space = spaces.computeIfAbsent(rs.getString(3), SearchSpace::fromJson);
                        int classes = Objects.requireNonNullElse((Integer) rs.getObject(4), 10);
                        SubnetConfig config = SubnetConfig.parse(rs.getString(2));
                        return new CatalogueSubnet(rs.getLong(1), SubnetPlan.of(space, config, classes));
                    } catch (RuntimeException unreadable) {
                        // a row whose space or config this version cannot read has no latency to give
                        return null;
                    }
                })
                .list()
                .stream()
                .filter(Objects::nonNull)
                .toList();
    }
}
