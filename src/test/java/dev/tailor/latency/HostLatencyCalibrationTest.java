package dev.tailor.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.DeviceRepository;
import dev.tailor.catalogue.ExecutionProvider;
import dev.tailor.catalogue.LatencyMeasurement;
import dev.tailor.catalogue.LatencyMeasurementRepository;
import dev.tailor.catalogue.LatencySource;
import dev.tailor.catalogue.Measurement;
import dev.tailor.catalogue.Subnet;
import dev.tailor.catalogue.SubnetRepository;
import dev.tailor.catalogue.Supernet;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.ToDoubleFunction;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * host-cpu's calibration and the models the service serves, against the real catalogue. Tiny
 * spaces keep it quick; timings are either real (few runs) or made up where a test needs exact
 * figures. Same context as the API tests: one embedded PostgreSQL for both.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false"
        })
class HostLatencyCalibrationTest {

    @Autowired
    HostLatencyCalibration calibration;

    @Autowired
    DeviceLatencies latencies;

    @Autowired
    HostDevices hosts;

    @Autowired
    LatencyModelStore store;

    @Autowired
    LatencyMeasurementRepository measurements;

    @Autowired
    DeviceRepository devices;

    @Autowired
    SupernetRepository supernets;

    @Autowired
    SubnetRepository subnets;

    @Autowired
    TransactionTemplate transactions;

    @Autowired
    DataSource dataSource;

    @Autowired
    SubnetModels subnetModels;

    @Autowired
    JdbcClient jdbc;

    private static final LatencyCalibration.Settings SETTINGS = new LatencyCalibration.Settings(12, 4, 1, 2, 1, 2025);

    /** A calibration whose timer makes every figure up from the models' order, as a pass lays them out. */
    private HostLatencyCalibration madeUp(
            SearchSpace space, ToDoubleFunction<String> layerMillis, ToDoubleFunction<SubnetPlan> subnetMillis) {
        return new HostLatencyCalibration(
                hosts,
                latencies,
                store,
                measurements,
                transactions,
                dataSource,
                subnetModels,
                SETTINGS,
                settings -> new LatencyCalibration(settings, models -> {
                    List<LatencyStats> timed = new ArrayList<>();
                    SubnetLayers.ofSpace(space, 10)
                            .values()
                            .forEach(layer -> timed.add(stats(layerMillis.applyAsDouble(layer.key()))));
                    for (SubnetConfig config : LatencyCalibration.sample(space, settings)) {
                        timed.add(stats(subnetMillis.applyAsDouble(SubnetPlan.of(space, config, 10))));
                    }
                    assertThat(timed).hasSameSizeAs(models);
                    return timed;
                }));
    }

    private static LatencyStats stats(double millis) {
        return new LatencyStats(millis, millis, millis, 0, 2, 1, 1, 20, "made-up runtime");
    }

    private static double layerMillis(String key) {
        return 0.02 + Math.floorMod(key.hashCode(), 50) / 1000.0;
    }

    private static double tableSum(SubnetPlan plan) {
        return SubnetLayers.of(plan).stream()
                .mapToDouble(layer -> layerMillis(layer.key()))
                .sum();
    }

    private static double exact(SubnetPlan plan) {
        return 0.8 * tableSum(plan) - 0.004 * SubnetLayers.of(plan).size() + 0.05;
    }

    private int storedModels(Device device, SearchSpace space) {
        return jdbc.sql("select count(*) from latency_model where device_id = :device and space_name = :space")
                .param("device", device.getId())
                .param("space", space.name())
                .query(Integer.class)
                .single();
    }

    private int layerRows(Device device, SearchSpace space) {
        return jdbc.sql("select count(*) from latency_measurement where device_id = :device and source = 'MEASURED'"
                        + " and layer_key in (:keys)")
                .param("device", device.getId())
                .param("keys", List.copyOf(SubnetLayers.ofSpace(space, 10).keySet()))
                .query(Integer.class)
                .single();
    }

    @Test
    void aCalibrationStoresItsLayerRowsAndItsModelWithTheHeldOutErrorAndTheServiceServesIt() {
        SearchSpace space = TinySpaces.withUnit(16);
        Device host = hosts.cpu();
        HostLatencyCalibration.Calibration calibrated = madeUp(
                        space, HostLatencyCalibrationTest::layerMillis, HostLatencyCalibrationTest::exact)
                .ensure(space, 10)
                .orElseThrow();

        long id = calibrated.modelId().orElseThrow();
        Map<String, Object> row = jdbc.sql("select * from latency_model where id = :id")
                .param("id", id)
                .query()
                .singleRow();
        assertThat((double) row.get("slope")).isCloseTo(0.8, offset(1e-6));
        assertThat((double) row.get("per_layer_ms")).isCloseTo(-0.004, offset(1e-6));
        assertThat((double) row.get("intercept_ms")).isCloseTo(0.05, offset(1e-6));
        assertThat(row.get("fit_subnets")).isEqualTo(12);
        assertThat(row.get("held_out_subnets")).isEqualTo(4);
        assertThat((double) row.get("mape")).isCloseTo(0, offset(1e-9));
        assertThat((double) row.get("within10")).isEqualTo(1.0);
        assertThat(row.get("num_classes")).isEqualTo(10);
        assertThat(row.get("runtime_version")).isEqualTo("made-up runtime");
        int layers = SubnetLayers.ofSpace(space, 10).size();
        assertThat(layerRows(host, space)).isEqualTo(layers);

        DeviceLatencyModel served = latencies.modelFor(host, space, 10).orElseThrow();
        assertThat(served.source()).isEqualTo(LatencySource.PREDICTED);
        assertThat(served.lowerBound()).isFalse();
        assertThat(served.basis()).contains("#" + id).contains("12 subnets").contains("4 held-out");
        PredictionAccuracy error = served.expectedError().orElseThrow();
        assertThat(error.count()).isEqualTo(4);
        assertThat(error.within10()).isEqualTo(1.0);
        for (SubnetConfig config : LatencyCalibration.sample(space, SETTINGS)) {
            assertThat(served.millis(config)).isCloseTo(exact(SubnetPlan.of(space, config, 10)), offset(1e-9));
        }
        // stored: not built again
        assertThat(madeUp(space, key -> 1, plan -> 1).ensure(space, 10)).isEmpty();
        assertThat(storedModels(host, space)).isEqualTo(1);
    }

    @Test
    void theHeldOutSubnetsAreStoredAsPredictedAndMeasuredAndTheServedModelStatesItsErrorNearAConfig() {
        SearchSpace space = TinySpaces.withUnit(56);
        Device host = hosts.cpu();
        // whole subnets along a curve the linear correction cannot follow, so its error varies by size
        ToDoubleFunction<SubnetPlan> curved = plan -> exact(plan) * (1 + 0.3 * Math.sin(40 * tableSum(plan)));
        HostLatencyCalibration.Calibration calibrated = madeUp(space, HostLatencyCalibrationTest::layerMillis, curved)
                .ensure(space, 10)
                .orElseThrow();
        LatencyCalibration.Result result = calibrated.result();

        String stored = jdbc.sql("select held_out_pairs::text from latency_model where id = :id")
                .param("id", calibrated.modelId().orElseThrow())
                .query(String.class)
                .single();
        tools.jackson.databind.JsonNode pairs =
                tools.jackson.databind.json.JsonMapper.builder().build().readTree(stored);
        assertThat(pairs.size()).isEqualTo(SETTINGS.heldOutSubnets());
        for (int i = 0; i < pairs.size(); i++) {
            LatencyModel.Measured measured = result.heldOut().get(i);
            assertThat(pairs.get(i).get(0).asDouble())
                    .isCloseTo(result.model().predict(measured.plan()), offset(1e-12));
            assertThat(pairs.get(i).get(1).asDouble()).isCloseTo(curved.applyAsDouble(measured.plan()), offset(1e-12));
        }

        DeviceLatencyModel served = latencies.modelFor(host, space, 10).orElseThrow();
        for (SubnetConfig config : List.of(space.smallest(), space.largest())) {
            HeldOutPairs.Near near = served.errorNear(config).orElseThrow();
            assertThat(near)
                    .isEqualTo(result.heldOutPairs()
                            .near(served.millis(config), HeldOutPairs.NEAREST)
                            .orElseThrow());
            assertThat(near.count()).isEqualTo(SETTINGS.heldOutSubnets());
            assertThat(near.mape()).isPositive();
        }
        assertThat(madeUp(space, key -> 1, plan -> 1).ensure(space, 10)).isEmpty();

        // a model stored before the pairs were kept states no error near a pick, and is calibrated again once
        jdbc.sql("update latency_model set held_out_pairs = null where id = :id")
                .param("id", calibrated.modelId().orElseThrow())
                .update();
        assertThat(latencies.modelFor(host, space, 10).orElseThrow().errorNear(space.smallest()))
                .isEmpty();
        assertThat(madeUp(space, HostLatencyCalibrationTest::layerMillis, curved)
                        .ensure(space, 10))
                .isPresent();
        assertThat(storedModels(host, space)).isEqualTo(2);
        assertThat(latencies.modelFor(host, space, 10).orElseThrow().errorNear(space.smallest()))
                .isPresent();
        assertThat(madeUp(space, key -> 1, plan -> 1).ensure(space, 10)).isEmpty();
    }

    @Test
    void ensureTimesForRealWithTheConfiguredSettingsOnce() {
        SearchSpace space = TinySpaces.withUnit(24);
        Device host = hosts.cpu();
        assertThat(calibration.settings().fitSubnets()).as("test settings").isEqualTo(4);

        HostLatencyCalibration.Calibration calibrated =
                calibration.ensure(space, 10).orElseThrow();

        assertThat(calibrated.result().layers())
                .hasSize(SubnetLayers.ofSpace(space, 10).size());
        assertThat(calibrated.result().layers())
                .allSatisfy(layer -> assertThat(layer.stats().p50Ms()).isPositive());
        assertThat(calibrated.result().heldOut()).hasSize(2);
        assertThat(calibrated.result().runtimeVersion()).startsWith("onnxruntime ");
        // two timed runs on a busy host can fit anything; what is stored is always servable
        calibrated
                .modelId()
                .ifPresentOrElse(
                        id -> {
                            DeviceLatencyModel served =
                                    latencies.modelFor(host, space, 10).orElseThrow();
                            assertThat(served.source()).isEqualTo(LatencySource.PREDICTED);
                            assertThat(served.expectedError().orElseThrow().count())
                                    .isEqualTo(2);
                            assertThat(served.millis(space.smallest())).isPositive();
                        },
                        () -> assertThat(storedModels(host, space)).isZero());
        assertThat(calibration.ensure(space, 10).isPresent())
                .isEqualTo(calibrated.modelId().isEmpty());
    }

    @Test
    void aNonPhysicalModelIsNeverStored() {
        SearchSpace space = TinySpaces.withUnit(32);
        Device host = hosts.cpu();
        // whole subnets at 1 ms while their layers alone take 5 ms each: a correction of 1 ms flat
        HostLatencyCalibration.Calibration calibrated = madeUp(space, key -> 5 + layerMillis(key), plan -> 1)
                .ensure(space, 10)
                .orElseThrow();

        assertThat(calibrated.result().model().intercept()).isCloseTo(1, offset(1e-6));
        assertThat(calibrated.modelId()).isEmpty();
        assertThat(storedModels(host, space)).isZero();
        assertThat(layerRows(host, space)).isZero();
        // host-cpu has no peak figures for a roofline: no model at all
        assertThat(latencies.modelFor(host, space, 10)).isEmpty();
    }

    @Test
    void aDeviceWithPeakFiguresOnlyGetsTheRooflineAsALowerBound() {
        SearchSpace space = SearchSpace.named(SearchSpace.FASHION_MNIST);
        Device nano = devices.findByName("jetson-nano").orElseThrow();
        DeviceLatencyModel roofline = latencies.modelFor(nano, space, 10).orElseThrow();
        assertThat(roofline.source()).isEqualTo(LatencySource.ESTIMATED);
        assertThat(roofline.lowerBound()).isTrue();
        assertThat(roofline.expectedError()).isEmpty();
        assertThat(roofline.millis(space.largest()))
                .isCloseTo(Roofline.millis(SubnetPlan.of(space, space.largest(), 10), 235.9, 25.6), offset(1e-12));
    }

    private Device newDevice(String prefix) {
        return devices.saveAndFlush(new Device(
                prefix + "-" + UUID.randomUUID().toString().substring(0, 8),
                null,
                "onnxruntime",
                ExecutionProvider.CPU,
                100.0,
                10.0,
                Measurement.AGENT));
    }

    private List<Subnet> catalogue(SearchSpace space, int count) {
        Supernet supernet = new Supernet("latency-fixture", space.toJson(), "generated");
        supernet.setNumClasses(10);
        Supernet saved = supernets.saveAndFlush(supernet);
        Random random = new Random(5);
        Set<SubnetConfig> configs = new LinkedHashSet<>();
        while (configs.size() < count) {
            configs.add(space.sample(random));
        }
        return configs.stream()
                .map(config -> subnets.saveAndFlush(new Subnet(saved, config.canonicalJson())))
                .toList();
    }

    private record Row(LatencySource source, double p50Ms, String how) {}

    /** The subnet's one latency row on the device (a refresh replaces what it wrote before). */
    private Row latency(Device device, Subnet subnet) {
        return jdbc.sql("select source, p50_ms, runtime_version from latency_measurement"
                        + " where device_id = :device and subnet_id = :subnet")
                .param("device", device.getId())
                .param("subnet", subnet.getId())
                .query((rs, row) -> new Row(LatencySource.valueOf(rs.getString(1)), rs.getDouble(2), rs.getString(3)))
                .single();
    }

    /** A stored calibration of {@code space} on {@code device} with the made-up table and these coefficients. */
    private long store(Device device, SearchSpace space, double slope, double perLayer, double intercept) {
        List<LatencyCalibration.TimedLayer> layers = SubnetLayers.ofSpace(space, 10).values().stream()
                .map(layer -> new LatencyCalibration.TimedLayer(layer.key(), 20, stats(layerMillis(layer.key()))))
                .toList();
        LatencyModel model = LatencyModel.of(
                layers.stream()
                        .collect(java.util.stream.Collectors.toMap(
                                LatencyCalibration.TimedLayer::key,
                                layer -> layer.stats().p50Ms())),
                slope,
                perLayer,
                intercept);
        return store.insert(
                device,
                space,
                10,
                new LatencyCalibration.Result(
                        SETTINGS,
                        layers,
                        Collections.nCopies(
                                12, new LatencyModel.Measured(SubnetPlan.of(space, space.smallest(), 10), 1)),
                        List.of(),
                        model,
                        new PredictionAccuracy(4, 0.02, 0.001, 0.8, 1.0),
                        List.of(),
                        1.5));
    }

    @Test
    void refreshesPredictWithTheNewestStoredModelAndSkipANonPhysicalOne() {
        SearchSpace space = TinySpaces.withUnit(40);
        Device device = newDevice("stored");
        Subnet subnet = catalogue(space, 1).get(0);
        SubnetConfig config = SubnetConfig.parse(subnet.getConfig());

        long id = store(device, space, 0.8, -0.004, 0.05);
        latencies.refresh(device);
        Row predicted = latency(device, subnet);
        assertThat(predicted.source()).isEqualTo(LatencySource.PREDICTED);
        assertThat(predicted.how()).isEqualTo("latency model #" + id);
        assertThat(predicted.p50Ms()).isCloseTo(exact(SubnetPlan.of(space, config, 10)), offset(1e-9));

        store(device, space, 1, 0, -1000);
        assertThat(latencies.modelFor(device, space, 10).orElseThrow().source()).isEqualTo(LatencySource.ESTIMATED);
        latencies.refresh(device);
        Row estimated = latency(device, subnet);
        assertThat(estimated.source()).isEqualTo(LatencySource.ESTIMATED);
        assertThat(estimated.p50Ms()).isPositive();
    }

    @Test
    void anAgentsOwnMeasurementsAreFittedAndScoredFromTwentySubnetsOn() {
        SearchSpace space = TinySpaces.withUnit(48);
        Device device = newDevice("agent");
        List<Subnet> catalogue = catalogue(space, DeviceLatencies.MIN_MEASURED_SUBNETS);
        SubnetLayers.ofSpace(space, 10)
                .values()
                .forEach(layer -> measurements.save(LatencyMeasurement.ofLayer(
                        device,
                        layer.key(),
                        1,
                        layer.resolution(),
                        stats(layerMillis(layer.key())).timing())));
        for (Subnet subnet : catalogue.subList(1, catalogue.size())) {
            SubnetPlan plan = SubnetPlan.of(space, SubnetConfig.parse(subnet.getConfig()), 10);
            measurements.save(LatencyMeasurement.ofSubnet(
                    device, subnet, 1, plan.resolution(), stats(exact(plan)).timing()));
        }
        assertThat(latencies.modelFor(device, space, 10).orElseThrow().source())
                .as("19 measured subnets")
                .isEqualTo(LatencySource.ESTIMATED);

        Subnet last = catalogue.get(0);
        SubnetPlan lastPlan = SubnetPlan.of(space, SubnetConfig.parse(last.getConfig()), 10);
        measurements.save(LatencyMeasurement.ofSubnet(
                device, last, 1, lastPlan.resolution(), stats(exact(lastPlan)).timing()));
        DeviceLatencyModel fitted = latencies.modelFor(device, space, 10).orElseThrow();
        assertThat(fitted.source()).isEqualTo(LatencySource.PREDICTED);
        PredictionAccuracy error = fitted.expectedError().orElseThrow();
        assertThat(error.count()).isEqualTo(8);
        assertThat(error.mape()).isCloseTo(0, offset(1e-9));
        assertThat(fitted.millis(space.largest()))
                .isCloseTo(exact(SubnetPlan.of(space, space.largest(), 10)), offset(1e-9));
    }

    @Test
    void theHostsSpeedTimingsAreKeptPerHostAndModelForTheWindow() {
        String key = "model-" + java.util.UUID.randomUUID();
        StoredHostSpeedHistory here = new StoredHostSpeedHistory(jdbc, "node-a-" + key);
        StoredHostSpeedHistory there = new StoredHostSpeedHistory(jdbc, "node-b-" + key);
        long hour = 3_600_000;
        here.keep(key, 1.02, hour);
        here.keep(key, 0.98, hour);
        here.keep("another " + key, 1.5, hour);
        there.keep(key, 1.7, hour);
        // non-physical ratios are not kept
        here.keep(key, 0, hour);
        here.keep(key, Double.NaN, hour);

        List<HostSpeedHistory.Timing> timings = here.recent(key, hour);
        assertThat(timings).extracting(HostSpeedHistory.Timing::ratio).containsExactly(1.02, 0.98);
        assertThat(timings.get(0).atMillis()).isLessThanOrEqualTo(timings.get(1).atMillis());
        assertThat(timings.get(1).atMillis()).isCloseTo(System.currentTimeMillis(), offset(60_000L));
        assertThat(there.recent(key, hour))
                .extracting(HostSpeedHistory.Timing::ratio)
                .containsExactly(1.7);

        // a timing older than the window is not read, and the next one kept forgets it
        jdbc.sql("update host_speed_timing set measured_at = now() - interval '2 hours' where host_name = ? and"
                        + " ratio = 1.02")
                .param("node-a-" + key)
                .update();
        assertThat(here.recent(key, hour))
                .extracting(HostSpeedHistory.Timing::ratio)
                .containsExactly(0.98);
        here.keep(key, 1.01, hour);
        assertThat(jdbc.sql("select count(*) from host_speed_timing where host_name = ?")
                        .param("node-a-" + key)
                        .query(Long.class)
                        .single())
                .isEqualTo(3);
        assertThat(here.recent(key, hour))
                .extracting(HostSpeedHistory.Timing::ratio)
                .containsExactly(0.98, 1.01);
    }
}
