package dev.tailor.jobs;

import dev.tailor.ProcessShutdown;
import dev.tailor.api.DatabaseOutage;
import dev.tailor.catalogue.CatalogueEvents;
import dev.tailor.catalogue.JobState;
import dev.tailor.catalogue.Split;
import dev.tailor.catalogue.SubnetRegistry;
import dev.tailor.cost.SubnetCosts;
import dev.tailor.latency.DeviceLatencies;
import dev.tailor.latency.HostQuiet;
import dev.tailor.metrics.JobLogContext;
import dev.tailor.metrics.WorkEvents;
import dev.tailor.onnx.OnnxEvaluation;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs a catalogue build: restores the supernet, walks the build's sample list, and for each
 * subnet not yet evaluated recalibrates BN on the run's fixed sample, measures top-1 on the whole
 * validation split (both in ONNX Runtime: {@link OnnxEvaluation}) and stores it with its costs, in one transaction with the build's counter. A
 * build killed at any point continues where it stopped when run again: what is stored is skipped,
 * nothing is written twice. Device latencies are refreshed every {@link #LATENCY_REFRESH_EVERY}
 * subnets and at the end.
 */
@Component
public class CatalogueBuildRunner {

    private static final Logger log = LoggerFactory.getLogger(CatalogueBuildRunner.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final int LATENCY_REFRESH_EVERY = 100;

    private final CatalogueBuilds builds;
    private final TrainedSupernets trained;
    private final SubnetRegistry registry;
    private final TransactionTemplate transactions;
    private final DataSource dataSource;
    private final DeviceLatencies latencies;
    private final ApplicationEventPublisher events;
    private final HostQuiet quiet;

    CatalogueBuildRunner(
            CatalogueBuilds builds,
            TrainedSupernets trained,
            SubnetRegistry registry,
            TransactionTemplate transactions,
            DataSource dataSource,
            DeviceLatencies latencies,
            ApplicationEventPublisher events,
            HostQuiet quiet) {
        this.builds = builds;
        this.trained = trained;
        this.registry = registry;
        this.transactions = transactions;
        this.dataSource = dataSource;
        this.latencies = latencies;
        this.events = events;
        this.quiet = quiet;
    }

    /** How a run ended: SUCCEEDED, FAILED, or RUNNING when it stopped on request. */
    public record Outcome(JobState state, int done, int total, String error) {}

    /**
     * Runs the build here. One build of a supernet runs at a time, whichever process holds it (a
     * lock on the supernet's id): two builds of one supernet would evaluate the same subnets.
     */
    public Outcome run(UUID buildId, String datasetEnvironment, CatalogueBuildListener listener) {
        CatalogueBuilds.Build build =
                builds.find(buildId).orElseThrow(() -> new IllegalArgumentException("no catalogue build " + buildId));
        try (var logContext = JobLogContext.of("catalogue-build", buildId);
                Connection lock = dataSource.getConnection()) {
            if (!AdvisoryLock.tryLock(lock, build.supernetId())) {
                throw new IllegalStateException("the catalogue of supernet " + build.supernetId()
                        + " is being built by another process; try again when it is done");
            }
            Outcome outcome;
            try {
                outcome = runLocked(buildId, datasetEnvironment, listener, new LockWatch(lock));
            } finally {
                AdvisoryLock.unlock(lock, build.supernetId());
                events.publishEvent(new WorkEvents.WorkEnded("catalogue-build", buildId));
            }
            if (outcome.state() == JobState.SUCCEEDED || outcome.state() == JobState.CANCELLED) {
                // after the lock is gone: what follows a build (predictor refit, latency calibration) may be long;
                // a cancelled build's rows are catalogue rows like any other
                events.publishEvent(new CatalogueEvents.CatalogueGrew(
                        build.supernetId(), outcome.done(), true, outcome.state() == JobState.CANCELLED));
            }
            return outcome;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the catalogue database: " + e.getMessage(), e);
        }
    }

    private Outcome runLocked(
            UUID buildId, String datasetEnvironment, CatalogueBuildListener listener, LockWatch lock) {
        CatalogueBuilds.Build build =
                builds.find(buildId).orElseThrow(() -> new IllegalArgumentException("no catalogue build " + buildId));
        if (build.finished()) {
            return new Outcome(build.state(), build.done(), build.subnets(), build.error());
        }
        UUID supernetId = build.supernetId();
        int done = 0;
        int total = build.subnets();
        try (TrainedSupernets.Restored restored = trained.restore(supernetId, datasetEnvironment)) {
            int classes = restored.data().train().numClasses();
            int validationImages = restored.data().validation().size();
            List<SubnetConfig> plan = CatalogueSampler.plan(restored.space(), classes, build.subnets(), build.seed());
            total = plan.size();
            List<SubnetConfig> pending = new ArrayList<>();
            for (SubnetConfig config : plan) {
                if (!registry.isEvaluated(supernetId, config, Split.VALIDATION)) {
                    pending.add(config);
                }
            }
            done = total - pending.size();
            if (!builds.start(buildId, done)) {
                return cancelled(buildId, done, total);
            }
            events.publishEvent(new CatalogueEvents.CatalogueBuildStarting(supernetId));
            log.info(
                    "Catalogue build {}: {} of {} subnets already evaluated, {} to go",
                    buildId,
                    done,
                    total,
                    pending.size());
            long startedAt = System.nanoTime();
            int thisRun = 0;
            for (SubnetConfig config : pending) {
                if (listener.stopRequested() || ProcessShutdown.started()) {
                    return new Outcome(JobState.RUNNING, done, total, TrainingJobRunner.STOPPED);
                }
                if (lock.getAsBoolean()) {
                    // as a training run does: unguarded, a `catalogue` run or a worker could take the build up
                    // beside this one and both would evaluate the same subnets
                    log.warn(
                            "Catalogue build {} stopped at {} of {}: {}",
                            buildId,
                            done,
                            total,
                            TrainingJobRunner.LOCK_LOST);
                    return new Outcome(JobState.RUNNING, done, total, TrainingJobRunner.LOCK_LOST);
                }
                // shared with other heavy work, exclusive of a timing: an export timed now waits for this subnet
                double top1 = quiet.heavy(() -> OnnxEvaluation.calibratedValidationTop1(restored.trainer(), config));
                SubnetCosts costs = SubnetCosts.of(SubnetPlan.of(restored.space(), config, classes));
                thisRun++;
                done++;
                double minutes = (System.nanoTime() - startedAt) / 6e10;
                CatalogueBuildListener.Progress progress = new CatalogueBuildListener.Progress(
                        done,
                        total,
                        thisRun / minutes,
                        (total - done) * minutes * 60 / thisRun,
                        config.canonicalJson(),
                        top1);
                int counted = done;
                boolean live = Boolean.TRUE.equals(transactions.execute(status -> {
                    registry.register(
                            supernetId,
                            config,
                            costs,
                            new SubnetRegistry.Measured(Split.VALIDATION, top1, validationImages));
                    return builds.progress(buildId, counted, JSON.writeValueAsString(json(progress)));
                }));
                if (!live) {
                    // the subnet just evaluated is kept: a row of the catalogue like any other
                    return cancelled(buildId, done, total);
                }
                listener.onSubnet(progress);
                events.publishEvent(
                        new WorkEvents.CatalogueBuildProgressed(buildId, (double) done / total, thisRun / minutes));
                if (thisRun % LATENCY_REFRESH_EVERY == 0) {
                    refreshLatencies();
                    events.publishEvent(new CatalogueEvents.CatalogueGrew(supernetId, done, false, false));
                }
            }
            refreshLatencies();
            if (!builds.finish(buildId, JobState.SUCCEEDED, null)) {
                return cancelled(buildId, done, total);
            }
            return new Outcome(JobState.SUCCEEDED, done, total, null);
        } catch (TrainedSupernets.DatasetUnavailableException e) {
            // as a training job does: the data is mounted on another worker, or will be back; a build failed
            // here was never tried again (nothing re-queues a supernet that has a build)
            String why = "waiting for a worker that can read the dataset: " + dev.tailor.ProcessName.current()
                    + " cannot (" + e.getMessage() + ")";
            log.warn("Catalogue build {}: {}", buildId, why);
            builds.waiting(buildId, why);
            return new Outcome(JobState.RUNNING, done, total, why);
        } catch (RuntimeException e) {
            if (DatabaseOutage.explains(e, dataSource)) {
                // every stored row stays; the build is tried again and goes on from the first missing one
                log.warn("Catalogue build {} stopped: the database cannot be reached ({})", buildId, e.getMessage());
                return new Outcome(JobState.RUNNING, done, total, TrainingJobRunner.WAITING_FOR_DATABASE);
            }
            if (ProcessShutdown.started()) {
                // the subnet under way failed because the process is stopping (ONNX Runtime closes first):
                // the build continues from it
                log.info(
                        "Catalogue build {} stopped by a shutdown at {} of {} ({})",
                        buildId,
                        done,
                        total,
                        e.toString());
                return new Outcome(JobState.RUNNING, done, total, TrainingJobRunner.STOPPED);
            }
            log.error("Catalogue build {} failed", buildId, e);
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (!builds.finish(buildId, JobState.FAILED, error)) {
                return cancelled(buildId, done, total);
            }
            return new Outcome(JobState.FAILED, done, total, error);
        }
    }

    private static Outcome cancelled(UUID buildId, int done, int total) {
        log.info("Catalogue build {} stopped at {} of {}: {}", buildId, done, total, CatalogueBuilds.CANCELLED);
        return new Outcome(JobState.CANCELLED, done, total, CatalogueBuilds.CANCELLED);
    }

    static Map<String, Object> json(CatalogueBuildListener.Progress p) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("done", p.done());
        json.put("total", p.total());
        json.put("fractionDone", p.fractionDone());
        json.put("subnetsPerMinute", p.subnetsPerMinute());
        json.put("etaSeconds", p.etaSeconds());
        json.put("lastConfig", p.lastConfig());
        json.put("lastValidationTop1", p.lastTop1());
        return json;
    }

    /** New rows get predicted or estimated latencies on every device; a failure here fails no build. */
    private void refreshLatencies() {
        try {
            latencies.refreshAll();
        } catch (RuntimeException e) {
            log.warn("Could not refresh device latencies: {}", e.getMessage());
        }
    }
}
