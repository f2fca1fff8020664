package dev.tailor.latency;

import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.LatencyMeasurement;
import dev.tailor.catalogue.LatencyMeasurementRepository;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Builds {@code host-cpu}'s latency model for a search space exactly as {@code bench latency}
 * scores it ({@link LatencyCalibration}: the space's layer table, a correction fitted on seeded
 * random subnets, its error on other held-out ones, all timed in one interleaved pass) and stores
 * it: the layer timings as measured layer rows, the model with its held-out error in
 * {@code latency_model}, which {@link DeviceLatencies} then serves. A model that predicts a
 * non-physical latency somewhere in the space is logged and not stored. One process calibrates a
 * space at a time (a PostgreSQL advisory lock), so that two workers neither repeat the work nor
 * slow each other's timings on a shared host.
 *
 * <p>Settings under {@code tailor.latency.calibration}: {@code fit-subnets} (60),
 * {@code held-out-subnets} (40), {@code warmup-runs} (10), {@code timed-runs} (200),
 * {@code rounds} (10); {@code auto} (true) calibrates after catalogue builds on workers.
 */
@Component
public class HostLatencyCalibration {

    private static final Logger log = LoggerFactory.getLogger(HostLatencyCalibration.class);

    /**
     * First key of the two-key advisory locks taken here ("LATC"); PostgreSQL keeps two-key locks
     * apart from the one-key locks that jobs take.
     */
    private static final int LOCK_CLASS = 0x4c415443;

    private final HostDevices hosts;
    private final DeviceLatencies latencies;
    private final LatencyModelStore store;
    private final LatencyMeasurementRepository measurements;
    private final TransactionTemplate transactions;
    private final DataSource dataSource;
    private final SubnetModels subnets;
    private final LatencyCalibration.Settings settings;
    private final Function<LatencyCalibration.Settings, LatencyCalibration> calibrations;

    @Autowired
    HostLatencyCalibration(
            HostDevices hosts,
            DeviceLatencies latencies,
            LatencyModelStore store,
            LatencyMeasurementRepository measurements,
            TransactionTemplate transactions,
            DataSource dataSource,
            SubnetModels subnets,
            @Value("${tailor.latency.calibration.fit-subnets:60}") int fitSubnets,
            @Value("${tailor.latency.calibration.held-out-subnets:40}") int heldOutSubnets,
            @Value("${tailor.latency.calibration.warmup-runs:10}") int warmupRuns,
            @Value("${tailor.latency.calibration.timed-runs:200}") int timedRuns,
            @Value("${tailor.latency.calibration.rounds:10}") int rounds) {
        this(
                hosts,
                latencies,
                store,
                measurements,
                transactions,
                dataSource,
                subnets,
                new LatencyCalibration.Settings(
                        fitSubnets,
                        heldOutSubnets,
                        warmupRuns,
                        timedRuns,
                        rounds,
                        LatencyCalibration.Settings.DEFAULT.seed()),
                LatencyCalibration::onThisHost);
    }

    /** With another way to time models (tests). */
    HostLatencyCalibration(
            HostDevices hosts,
            DeviceLatencies latencies,
            LatencyModelStore store,
            LatencyMeasurementRepository measurements,
            TransactionTemplate transactions,
            DataSource dataSource,
            SubnetModels subnets,
            LatencyCalibration.Settings settings,
            Function<LatencyCalibration.Settings, LatencyCalibration> calibrations) {
        this.hosts = hosts;
        this.latencies = latencies;
        this.store = store;
        this.measurements = measurements;
        this.transactions = transactions;
        this.dataSource = dataSource;
        this.subnets = subnets;
        this.settings = settings;
        this.calibrations = calibrations;
    }

    /**
     * A calibration's pass and, when its model was physical, the id it is stored and served under.
     */
    public record Calibration(LatencyCalibration.Result result, OptionalLong modelId) {}

    /** The configured settings. */
    public LatencyCalibration.Settings settings() {
        return settings;
    }

    /**
     * Calibrates host-cpu for the space with the configured settings unless a model is stored for
     * it already or another process is calibrating it; empty then. A model stored before its
     * held-out pairs were kept is calibrated again, once, so that answers can state its error near
     * their pick.
     */
    public Optional<Calibration> ensure(SearchSpace space, int classes) {
        Device host = hosts.cpu();
        if (current(host, space, classes)) {
            return Optional.empty();
        }
        return locked(space, classes, () -> {
            // another process may have stored one between the check above and the lock
            if (current(host, space, classes)) {
                return Optional.empty();
            }
            return Optional.of(calibrateLocked(host, space, classes, settings, List.of(), line -> {}));
        });
    }

    private boolean current(Device host, SearchSpace space, int classes) {
        return store.newest(host, space, classes)
                .filter(stored -> !stored.heldOutPairs().pairs().isEmpty())
                .isPresent();
    }

    /**
     * Calibrates host-cpu for the space now, whatever is stored, timing {@code alsoTime} in the same
     * pass; fails when another process is calibrating the space.
     */
    public Calibration calibrate(
            SearchSpace space,
            int classes,
            LatencyCalibration.Settings settings,
            List<SubnetConfig> alsoTime,
            Consumer<String> progress) {
        Device host = hosts.cpu();
        return locked(
                        space,
                        classes,
                        () -> Optional.of(calibrateLocked(host, space, classes, settings, alsoTime, progress)))
                .orElseThrow(() -> new IllegalStateException("host-cpu's latency model for space " + space.name()
                        + " is being built by another process; try again when it is done"));
    }

    private Calibration calibrateLocked(
            Device host,
            SearchSpace space,
            int classes,
            LatencyCalibration.Settings settings,
            List<SubnetConfig> alsoTime,
            Consumer<String> progress) {
        Consumer<String> report = line -> {
            log.info("host-cpu latency model for {} ({} classes): {}", space.name(), classes, line);
            progress.accept(line);
        };
        report.accept(String.format(
                Locale.ROOT,
                "calibrating on %d fit and %d held-out random subnets",
                settings.fitSubnets(),
                settings.heldOutSubnets()));
        LatencyCalibration.Result result = calibrations.apply(settings).run(space, classes, subnets, alsoTime, report);
        if (!DeviceLatencyModel.servable(space, classes, result.model())) {
            log.warn(
                    "host-cpu latency model for {} predicts a non-physical latency (slope {}, per layer {} ms,"
                            + " intercept {} ms); not stored, the timings were likely disturbed",
                    space.name(),
                    result.model().slope(),
                    result.model().perLayer(),
                    result.model().intercept());
            return new Calibration(result, OptionalLong.empty());
        }
        long id = transactions.execute(status -> {
            for (LatencyCalibration.TimedLayer layer : result.layers()) {
                measurements.save(LatencyMeasurement.ofLayer(
                        host,
                        layer.key(),
                        layer.stats().batchSize(),
                        layer.resolution(),
                        layer.stats().timing()));
            }
            return store.insert(host, space, classes, result);
        });
        report.accept("stored as latency model #" + id);
        try {
            latencies.refresh(host);
        } catch (RuntimeException e) {
            log.warn("Could not refresh host-cpu's catalogue latencies: {}", e.getMessage());
        }
        return new Calibration(result, OptionalLong.of(id));
    }

    /** Runs {@code work} under the space's advisory lock; empty when another process holds it. */
    private <T> Optional<T> locked(SearchSpace space, int classes, Supplier<Optional<T>> work) {
        int key = (space.toJson() + "/" + classes).hashCode();
        try (Connection connection = dataSource.getConnection()) {
            if (!advisory(connection, "select pg_try_advisory_lock(?, ?)", key)) {
                log.info("host-cpu latency model for {} is being built by another process", space.name());
                return Optional.empty();
            }
            try {
                return work.get();
            } finally {
                advisory(connection, "select pg_advisory_unlock(?, ?)", key);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the catalogue database: " + e.getMessage(), e);
        }
    }

    private static boolean advisory(Connection connection, String sql, int key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setInt(1, LOCK_CLASS);
            statement.setInt(2, key);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }
}
