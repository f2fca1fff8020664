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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.domain.Sort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Every device's latency model per search space, and every catalogued subnet's latency on every
 * device as good as the device's data allows: measured where an agent or the host timed it;
 * otherwise predicted by the device's newest stored (calibrated and scored) model for the space;
 * otherwise by a correction fitted on the device's own measured subnets over its measured layer
 * table, once there are enough to fit and score it; otherwise a roofline estimate from the
 * device's published peak and bandwidth. A model that predicts a non-physical latency is skipped
 * for the next source. Predictions and estimates are stored with their source and replaced on
 * every refresh; measurements never are.
 */
@Component
public class DeviceLatencies {

    /**
     * Whole-subnet measurements a device needs before a correction is fitted on them: 60 % fit it
     * (12, four per coefficient), 40 % score it (8), as the calibration splits its subnets.
     */
    static final int MIN_MEASURED_SUBNETS = 20;

    private static final Logger log = LoggerFactory.getLogger(DeviceLatencies.class);

    /**
     * First key of the two-key advisory lock a refresh takes on its device ("LREF"): two refreshes of
     * one device in two transactions (two processes' refits, a refit and a catalogue row's refresh) would
     * each delete the subnet's predicted row the other had not committed yet and insert their own, leaving
     * two. Taken in device-id order, and held to the end of the transaction (an export's, where it runs in one).
     */
    static final int REFRESH_LOCK_CLASS = 0x4c524546;

    private final JdbcClient jdbc;
    private final DeviceRepository devices;
    private final SubnetRepository subnets;
    private final LatencyMeasurementRepository measurements;
    private final LatencyModelStore stored;
    private final TransactionTemplate transactions;

    DeviceLatencies(
            JdbcClient jdbc,
            DeviceRepository devices,
            SubnetRepository subnets,
            LatencyMeasurementRepository measurements,
            LatencyModelStore stored,
            TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.devices = devices;
        this.subnets = subnets;
        this.measurements = measurements;
        this.stored = stored;
        this.transactions = transactions;
    }

    /**
     * The device's latency model for subnets of {@code space} with {@code classes} classes: a
     * fitted one ({@code predicted}, with its held-out error) or the roofline ({@code estimated},
     * a lower bound). Empty when the device has neither a model nor peak and bandwidth figures.
     */
    public Optional<DeviceLatencyModel> modelFor(Device device, SearchSpace space, int classes) {
        return new Sources(device).modelFor(space, classes);
    }

    /** What a refresh wrote for one device. */
    public record Refresh(String device, boolean modelFitted, int predicted, int estimated) {}

    public List<Refresh> refreshAll() {
        return devicesInLockOrder().stream().map(this::refresh).toList();
    }

    private List<Device> devicesInLockOrder() {
        return devices.findAll(Sort.by("id"));
    }

    /**
     * Every device's latency for these subnets only: what one new catalogue row needs, without
     * rewriting a row per catalogued subnet on every device.
     */
    public List<Refresh> refreshSubnets(Set<Long> subnetIds) {
        return devicesInLockOrder().stream()
                .map(device -> refresh(device, subnetIds::contains, false))
                .toList();
    }

    public Refresh refresh(Device device) {
        return refresh(device, id -> true, true);
    }

    /** @param everySubnet whether {@code which} takes every subnet: only then is a refit owed to the device done */
    private Refresh refresh(Device device, LongPredicate which, boolean everySubnet) {
        return transactions.execute(status -> {
            jdbc.sql("select pg_advisory_xact_lock(?, ?)")
                    .params(REFRESH_LOCK_CLASS, (int) (device.getId() ^ (device.getId() >>> 32)))
                    .query()
                    .singleRow();
            // read before anything else: every measurement counted in it is committed, so read below
            Long measuredVersion = jdbc.sql("select measured_version from device where id = ?")
                    .param(device.getId())
                    .query(Long.class)
                    .optional()
                    .orElse(0L);
            Sources sources = new Sources(device);
            Set<Long> measured = measuredSubnetIds(device);
            Map<String, Optional<DeviceLatencyModel>> models = new HashMap<>();
            int predicted = 0;
            int estimated = 0;
            for (CatalogueSubnet subnet : catalogue()) {
                // every space's model, refreshed subnets or not: together they are the device's source
                models.computeIfAbsent(
                        subnet.spaceSpec() + "/" + subnet.classes(),
                        key -> sources.modelFor(subnet.space(), subnet.classes()));
                if (!which.test(subnet.id()) || measured.contains(subnet.id())) {
                    continue;
                }
                jdbc.sql("delete from latency_measurement where device_id = :device and subnet_id = :subnet"
                                + " and source in ('PREDICTED', 'ESTIMATED')")
                        .param("device", device.getId())
                        .param("subnet", subnet.id())
                        .update();
                Optional<DeviceLatencyModel> model = models.computeIfAbsent(
                        subnet.spaceSpec() + "/" + subnet.classes(),
                        key -> sources.modelFor(subnet.space(), subnet.classes()));
                if (model.isEmpty()) {
                    continue;
                }
                DeviceLatencyModel latency = model.get();
                measurements.save(LatencyMeasurement.ofSubnet(
                        device,
                        subnets.getReferenceById(subnet.id()),
                        1,
                        subnet.config().resolution(),
                        new LatencyMeasurement.Timing(
                                latency.millis(subnet.config()),
                                null,
                                null,
                                null,
                                null,
                                null,
                                latency.how(),
                                latency.source())));
                if (latency.source() == LatencySource.PREDICTED) {
                    predicted++;
                } else {
                    estimated++;
                }
            }
            boolean fitted = models.values().stream()
                    .flatMap(Optional::stream)
                    .anyMatch(model -> model.source() == LatencySource.PREDICTED);
            countSourceChange(device, models);
            if (everySubnet) {
                // a measurement committed after the read above is counted past it: a sweep refreshes again
                jdbc.sql("update device set refreshed_version = greatest(refreshed_version, :version)"
                                + " where id = :device")
                        .param("version", measuredVersion)
                        .param("device", device.getId())
                        .update();
            }
            return new Refresh(device.getName(), fitted, predicted, estimated);
        });
    }

    /**
     * Counts a change of the device's latency source on its {@code latency_revision}, which stored
     * answers are keyed by: a model fitted on new measurements in place of a roofline, a refit, new
     * figures. What the source is: each space's model as it describes itself, with a digest of its table and
     * coefficients (a layer timed again changes those, not how many subnets the model was fitted on). A
     * refresh that changes none (a catalogue build's, a host export's own timing) keeps them.
     */
    private void countSourceChange(Device device, Map<String, Optional<DeviceLatencyModel>> models) {
        StringBuilder fingerprint = new StringBuilder();
        new java.util.TreeMap<>(models)
                .forEach((space, model) -> fingerprint
                        .append(Integer.toHexString(space.hashCode()))
                        .append('=')
                        .append(model.map(DeviceLatencyModel::fingerprint).orElse("none"))
                        .append(';'));
        jdbc.sql("update device set latency_revision = latency_revision + 1, latency_fingerprint = :fingerprint"
                        + " where id = :device and latency_fingerprint is distinct from :fingerprint")
                .param("fingerprint", fingerprint.toString())
                .param("device", device.getId())
                .update();
    }

    /**
     * One device's sources of latency models, read once: a refresh asks for the model of every
     * space in the catalogue, and the correction fitted on the device's measurements is the same
     * for all of them.
     */
    private final class Sources {

        private final Device device;
        /** Read on first use: only spaces without a stored model need it. */
        private Optional<Fitted> fitted;

        Sources(Device device) {
            this.device = device;
        }

        Optional<DeviceLatencyModel> modelFor(SearchSpace space, int classes) {
            return storedModel(space, classes)
                    .or(() -> fittedModel(space, classes))
                    .or(() -> roofline(space, classes));
        }

        private Optional<DeviceLatencyModel> storedModel(SearchSpace space, int classes) {
            return stored.newest(device, space, classes).flatMap(model -> {
                Optional<DeviceLatencyModel> served = DeviceLatencyModel.predicted(
                        space,
                        classes,
                        model.model(),
                        model.heldOutError(),
                        model.heldOutPairs(),
                        "latency model #" + model.id(),
                        String.format(
                                Locale.ROOT,
                                "%s latency model #%d: layer table + correction fitted on %d subnets and scored on %d"
                                        + " held-out subnets, all timed in one pass (%s)",
                                device.getName(),
                                model.id(),
                                model.fitSubnets(),
                                model.heldOutError().count(),
                                model.runtimeVersion()));
                if (served.isEmpty()) {
                    log.warn(
                            "Latency model #{} of {} does not cover space {} or predicts a non-physical latency;"
                                    + " not served",
                            model.id(),
                            device.getName(),
                            space.name());
                }
                return served;
            });
        }

        private Optional<DeviceLatencyModel> fittedModel(SearchSpace space, int classes) {
            if (fitted == null) {
                fitted = fitOnMeasurements();
            }
            return fitted.flatMap(fit -> DeviceLatencyModel.predicted(
                    space,
                    classes,
                    fit.model(),
                    fit.heldOutError(),
                    fit.heldOutPairs(),
                    "latency model",
                    String.format(
                            Locale.ROOT,
                            "%s layer table + correction fitted on %d of its measured subnets and scored on the"
                                    + " other %d",
                            device.getName(),
                            fit.fitSubnets(),
                            fit.heldOutError().count())));
        }

        /**
         * The correction over the device's measured layer table, fitted on 3 in 5 of its measured
         * subnets the table covers and scored on the other 2 in 5 (interleaved in id order, so that
         * measurements taken early and late fall on both sides).
         */
        private Optional<Fitted> fitOnMeasurements() {
            Map<String, Double> table = table(device);
            List<LatencyModel.Measured> covered = measuredSubnets(device).stream()
                    .filter(measured -> covers(table, measured.plan()))
                    .toList();
            if (covered.size() < MIN_MEASURED_SUBNETS) {
                return Optional.empty();
            }
            List<LatencyModel.Measured> fit = new ArrayList<>();
            List<LatencyModel.Measured> heldOut = new ArrayList<>();
            for (int i = 0; i < covered.size(); i++) {
                (i % 5 < 3 ? fit : heldOut).add(covered.get(i));
            }
            LatencyModel model = LatencyModel.fit(table, fit);
            return Optional.of(
                    new Fitted(model, model.accuracyOn(heldOut), HeldOutPairs.of(model, heldOut), fit.size()));
        }

        private Optional<DeviceLatencyModel> roofline(SearchSpace space, int classes) {
            if (device.getPeakGflops() == null || device.getMemoryGbps() == null) {
                return Optional.empty();
            }
            return Optional.of(
                    DeviceLatencyModel.roofline(space, classes, device.getPeakGflops(), device.getMemoryGbps()));
        }
    }

    private record Fitted(
            LatencyModel model, PredictionAccuracy heldOutError, HeldOutPairs heldOutPairs, int fitSubnets) {}

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

    private Set<Long> measuredSubnetIds(Device device) {
        return new HashSet<>(jdbc.sql("select distinct subnet_id from latency_measurement where device_id = :device"
                        + " and subnet_id is not null and source = 'MEASURED' and batch_size = 1")
                .param("device", device.getId())
                .query(Long.class)
                .list());
    }

    /** The newest measured batch-1 p50 of every subnet measured on the device, in subnet id order. */
    private List<LatencyModel.Measured> measuredSubnets(Device device) {
        Spaces spaces = new Spaces();
        return jdbc
                .sql("select distinct on (m.subnet_id) m.p50_ms, s.config::text, n.space_spec::text, n.num_classes"
                        + " from latency_measurement m join subnet s on s.id = m.subnet_id"
                        + " join supernet n on n.id = s.supernet_id"
                        + " where m.device_id = :device and m.source = 'MEASURED' and m.batch_size = 1"
                        + " order by m.subnet_id, m.measured_at desc, m.id desc")
                .param("device", device.getId())
                .query((rs, row) -> {
                    double millis = rs.getDouble(1);
                    return spaces.read(rs.getString(3), rs.getObject(4), rs.getString(2))
                            .map(subnet -> new LatencyModel.Measured(
                                    SubnetPlan.of(subnet.space(), subnet.config(), subnet.classes()), millis))
                            .orElse(null);
                })
                .list()
                .stream()
                .filter(Objects::nonNull)
                .toList();
    }

    /** A catalogued subnet with its supernet's space and class count. */
    record CatalogueSubnet(long id, String spaceSpec, SearchSpace space, int classes, SubnetConfig config) {}

    List<CatalogueSubnet> catalogue() {
        Spaces spaces = new Spaces();
        return jdbc
                .sql("select s.id, s.config::text, n.space_spec::text, n.num_classes"
                        + " from subnet s join supernet n on n.id = s.supernet_id order by s.id")
                .query((rs, row) -> {
                    long id = rs.getLong(1);
                    String spec = rs.getString(3);
                    return spaces.read(spec, rs.getObject(4), rs.getString(2))
                            .map(subnet ->
                                    new CatalogueSubnet(id, spec, subnet.space(), subnet.classes(), subnet.config()))
                            .orElse(null);
                })
                .list()
                .stream()
                .filter(Objects::nonNull)
                .toList();
    }

    /** Parsed spaces by their JSON, so that a catalogue's thousands of rows parse each space once. */
    private static final class Spaces {

        record Read(SearchSpace space, int classes, SubnetConfig config) {}

        private final Map<String, SearchSpace> bySpec = new HashMap<>();

        /** Empty for a row whose space or config this version cannot read: it has no latency to give. */
        Optional<Read> read(String spec, Object classes, String config) {
            try {
                SearchSpace space = bySpec.computeIfAbsent(spec, SearchSpace::fromJson);
                int numClasses = Objects.requireNonNullElse((Integer) classes, 10);
                return Optional.of(new Read(space, numClasses, space.requireMember(SubnetConfig.parse(config))));
            } catch (RuntimeException unreadable) {
                return Optional.empty();
            }
        }
    }
}
