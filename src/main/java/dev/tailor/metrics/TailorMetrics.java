package dev.tailor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The service's own meters, next to Spring Boot's request histograms ({@code http.server.requests},
 * per endpoint): search and export time, specializations answered, the progress and speed of the
 * training job and catalogue build running in this process, and the catalogue's size. Scraped at
 * {@code /actuator/prometheus}.
 */
@Component
class TailorMetrics {

    private static final double NONE = Double.NaN;

    private final AtomicReference<Double> trainingFraction = new AtomicReference<>(NONE);
    private final AtomicReference<Double> trainingImagesPerSecond = new AtomicReference<>(NONE);
    private final AtomicReference<Double> buildFraction = new AtomicReference<>(NONE);
    private final AtomicReference<Double> buildSubnetsPerMinute = new AtomicReference<>(NONE);
    private final Timer search;
    private final Timer export;
    private final Counter fromCatalogue;
    private final Counter searched;

    TailorMetrics(MeterRegistry registry, JdbcClient jdbc) {
        Gauge.builder("tailor.training.progress", trainingFraction, AtomicReference::get)
                .description("Fraction done of the training job running in this process (NaN when none)")
                .register(registry);
        Gauge.builder("tailor.training.images.per.second", trainingImagesPerSecond, AtomicReference::get)
                .description("Training throughput of the job running in this process (NaN when none)")
                .register(registry);
        Gauge.builder("tailor.catalogue.build.progress", buildFraction, AtomicReference::get)
                .description("Fraction done of the catalogue build running in this process (NaN when none)")
                .register(registry);
        Gauge.builder("tailor.catalogue.build.subnets.per.minute", buildSubnetsPerMinute, AtomicReference::get)
                .description("Subnets evaluated per minute by the catalogue build running here (NaN when none)")
                .register(registry);
        Gauge.builder("tailor.catalogue.subnets", jdbc, TailorMetrics::catalogueSize)
                .description("Subnets in the catalogue, all supernets")
                .register(registry);
        search = Timer.builder("tailor.search")
                .description("Search time of a specialization (evolution or NSGA-II on the predictor)")
                .publishPercentileHistogram()
                .register(registry);
        export = Timer.builder("tailor.export")
                .description("Export time of a specialization's pick (restore, BN calibration, ONNX, checks, timing)")
                .publishPercentileHistogram()
                .register(registry);
        fromCatalogue = Counter.builder("tailor.specializations")
                .tag("answer", "catalogue")
                .description("Specializations answered")
                .register(registry);
        searched = Counter.builder("tailor.specializations")
                .tag("answer", "searched")
                .description("Specializations answered")
                .register(registry);
    }

    private static double catalogueSize(JdbcClient jdbc) {
        try {
            return jdbc.sql("select count(*) from subnet").query(Long.class).single();
        } catch (RuntimeException databaseDown) {
            return NONE;
        }
    }

    @EventListener
    void on(WorkEvents.TrainingProgressed event) {
        trainingFraction.set(event.fractionDone());
        trainingImagesPerSecond.set(event.imagesPerSecond());
    }

    @EventListener
    void on(WorkEvents.CatalogueBuildProgressed event) {
        buildFraction.set(event.fractionDone());
        buildSubnetsPerMinute.set(event.subnetsPerMinute());
    }

    @EventListener
    void on(WorkEvents.WorkEnded event) {
        if (event.kind().equals("training")) {
            trainingFraction.set(NONE);
            trainingImagesPerSecond.set(NONE);
        } else {
            buildFraction.set(NONE);
            buildSubnetsPerMinute.set(NONE);
        }
    }

    @EventListener
    void on(WorkEvents.SpecializationAnswered event) {
        if (event.fromCatalogue()) {
            fromCatalogue.increment();
            return;
        }
        searched.increment();
        search.record(event.searchNanos(), TimeUnit.NANOSECONDS);
        export.record(event.exportNanos(), TimeUnit.NANOSECONDS);
    }
}
