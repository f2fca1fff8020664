package dev.tailor.latency;

import dev.tailor.catalogue.LatencyMeasurementRepository;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.context.ApplicationContext;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores a host-cpu latency model for a space from made-up timings, for tests outside this package
 * that need one served whatever this host's timings would fit: layers 0.02-0.07 ms by key, whole
 * subnets 0.8 x their table sum - 0.004 ms per layer + 0.05 ms.
 */
public final class MadeUpHostModels {

    private MadeUpHostModels() {}

    /** Stores the made-up model unless host-cpu has one for the space already. */
    public static void ensure(ApplicationContext context, SearchSpace space, int classes) {
        new HostLatencyCalibration(
                        context.getBean(HostDevices.class),
                        context.getBean(DeviceLatencies.class),
                        context.getBean(LatencyModelStore.class),
                        context.getBean(LatencyMeasurementRepository.class),
                        context.getBean(TransactionTemplate.class),
                        context.getBean(DataSource.class),
                        context.getBean(SubnetModels.class),
                        new LatencyCalibration.Settings(12, 4, 1, 2, 1, 2025),
                        settings -> new LatencyCalibration(settings, models -> {
                            List<LatencyStats> timed = new ArrayList<>();
                            SubnetLayers.ofSpace(space, classes)
                                    .values()
                                    .forEach(layer -> timed.add(stats(layerMillis(layer.key()))));
                            for (SubnetConfig config : LatencyCalibration.sample(space, settings)) {
                                SubnetPlan plan = SubnetPlan.of(space, config, classes);
                                double sum = SubnetLayers.of(plan).stream()
                                        .mapToDouble(layer -> layerMillis(layer.key()))
                                        .sum();
                                timed.add(stats(0.8 * sum
                                        - 0.004 * SubnetLayers.of(plan).size()
                                        + 0.05));
                            }
                            return timed;
                        }))
                .ensure(space, classes);
    }

    private static double layerMillis(String key) {
        return 0.02 + Math.floorMod(key.hashCode(), 50) / 1000.0;
    }

    private static LatencyStats stats(double millis) {
        return new LatencyStats(millis, millis, millis, 0, 2, 1, 1, 20, "made-up runtime");
    }
}
