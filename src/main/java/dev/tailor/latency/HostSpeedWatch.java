package dev.tailor.latency;

import dev.tailor.PeriodicWork;
import dev.tailor.catalogue.LatencySource;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.space.SearchSpace;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * On a worker, times host-cpu's reference subnets against its latency model once every
 * {@code tailor.latency.speed-watch.interval-seconds} (60; 0 turns it off) for every space a ready
 * supernet uses, so that a search on a latency budget can state how far this host's speed moves
 * ({@link HostSpeedCheck#variation}) before anyone has asked twice. A pass takes about a second
 * under {@link HostQuiet}'s lock; a tick is skipped while a training job runs, whose own load
 * would read as the host's. The last pass's ratio per space is the gauge
 * {@code tailor.host.speed.ratio} (Prometheus {@code tailor_host_speed_ratio{space=...}}).
 */
@Component
@ConditionalOnProperty(name = "tailor.worker.enabled", havingValue = "true", matchIfMissing = true)
class HostSpeedWatch {

    private static final Logger log = LoggerFactory.getLogger(HostSpeedWatch.class);

    /** A space whose host-cpu model is watched, with the model's prediction. */
    record Target(SearchSpace space, int classes, DeviceLatencyModel model) {}

    private final Supplier<List<Target>> targets;
    private final BooleanSupplier training;
    private final HostSpeedCheck check;
    private final MeterRegistry registry;
    private final Map<String, AtomicReference<Double>> lastRatios = new ConcurrentHashMap<>();
    private final PeriodicWork work;

    @Autowired
    HostSpeedWatch(
            JdbcClient jdbc,
            HostDevices hosts,
            DeviceLatencies latencies,
            TrainingJobRepository trainingJobs,
            HostSpeedCheck check,
            MeterRegistry registry,
            @Value("${tailor.latency.speed-watch.interval-seconds:60}") long intervalSeconds) {
        this(
                () -> jdbc
                        .sql("select distinct space_spec::text as spec, num_classes from supernet"
                                + " where state = 'READY' and num_classes is not null")
                        .query((row, n) -> {
                            SearchSpace space = SearchSpace.fromJson(row.getString("spec"));
                            int classes = row.getInt("num_classes");
                            return latencies
                                    .modelFor(hosts.cpu(), space, classes)
                                    .filter(model -> model.source() == LatencySource.PREDICTED)
                                    .map(model -> new Target(space, classes, model))
                                    .orElse(null);
                        })
                        .list()
                        .stream()
                        .filter(Objects::nonNull)
                        .toList(),
                trainingJobs::trainingNow,
                check,
                registry,
                intervalSeconds);
    }

    /** With other targets and another way to tell that training runs (tests). */
    HostSpeedWatch(
            Supplier<List<Target>> targets,
            BooleanSupplier training,
            HostSpeedCheck check,
            MeterRegistry registry,
            long intervalSeconds) {
        this.targets = targets;
        this.training = training;
        this.check = check;
        this.registry = registry;
        // the first pass after a start waits for the start's own work (loading PyTorch, compiling) to end
        this.work = new PeriodicWork(
                "host-speed-watch",
                "tailor.latency.speed-watch.interval-seconds",
                intervalSeconds,
                intervalSeconds / 2 + 1,
                this::tick,
                log);
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        work.start();
    }

    @PreDestroy
    void stop() {
        work.stop();
    }

    /** One pass per watched space, unless a training job runs; how many passes were timed. */
    int tick() {
        if (training.getAsBoolean()) {
            return 0;
        }
        int passes = 0;
        for (Target target : targets.get()) {
            double ratio = check.watch(target.space(), target.classes(), target.model()::millis);
            lastRatio(target.space().name()).set(ratio);
            passes++;
        }
        return passes;
    }

    private AtomicReference<Double> lastRatio(String space) {
        return lastRatios.computeIfAbsent(space, name -> {
            AtomicReference<Double> ratio = new AtomicReference<>(Double.NaN);
            Gauge.builder("tailor.host.speed.ratio", ratio, AtomicReference::get)
                    .description("host-cpu's last watch pass: measured over predicted latency of the space's"
                            + " reference subnets (1: as its latency model; 1.25 or more: a slow episode)")
                    .tag("space", name)
                    .register(registry);
            return ratio;
        });
    }
}
