package dev.tailor.jobs;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import dev.tailor.api.Problems;
import dev.tailor.catalogue.CatalogueEvents;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Starts catalogue builds: stores the build and puts it on the job queue, where any worker takes
 * it. A supernet that finishes training gets its build queued here, with the default size.
 */
@Component
public class CatalogueBuildQueue {

    private static final Logger log = LoggerFactory.getLogger(CatalogueBuildQueue.class);

    public static final int MAX_SUBNETS = 100_000;
    /** db-scheduler priority of builds: above training, which runs at the default (medium). */
    static final int PRIORITY = com.github.kagkarlsson.scheduler.task.Priority.HIGH;

    private final CatalogueBuilds builds;
    private final TrainedSupernets trained;
    private final SchedulerClient scheduler;
    private final OneTimeTask<String> task;
    private final int defaultSubnets;
    private final boolean afterTraining;
    private final TransactionTemplate transactions;
    private final JdbcClient jdbc;

    CatalogueBuildQueue(
            CatalogueBuilds builds,
            TrainedSupernets trained,
            SchedulerClient scheduler,
            @Qualifier("catalogueBuildTask") OneTimeTask<String> task,
            @Value("${tailor.catalogue.subnets:500}") int defaultSubnets,
            @Value("${tailor.catalogue.build-after-training:true}") boolean afterTraining,
            TransactionTemplate transactions,
            JdbcClient jdbc) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.builds = builds;
        this.trained = trained;
        this.scheduler = scheduler;
        this.task = task;
        if (defaultSubnets < 1 || defaultSubnets > MAX_SUBNETS) {
            // accepted, it failed every build queued after training, with a log line that named no setting
            throw new dev.tailor.InvalidSettingException(
                    "tailor.catalogue.subnets",
                    "must be between 1 and " + MAX_SUBNETS + " (the subnets a catalogue build evaluates); got "
                            + defaultSubnets);
        }
        this.defaultSubnets = defaultSubnets;
        this.afterTraining = afterTraining;
    }

    public int defaultSubnets() {
        return defaultSubnets;
    }

    /** Stores a build of a READY supernet, not yet queued (the CLI runs it in its own process). */
    public CatalogueBuilds.Build create(UUID supernetId, Integer subnets, Long seed) {
        trained.ready(supernetId);
        int count = subnets == null ? defaultSubnets : subnets;
        if (count < 1 || count > MAX_SUBNETS) {
            throw new IllegalArgumentException("subnets must be between 1 and " + MAX_SUBNETS + "; got " + count);
        }
        return builds.insert(supernetId, count, seed == null ? 1 : seed);
    }

    /** Stores and queues a build, in one transaction; a worker runs it. */
    public CatalogueBuilds.Build enqueue(UUID supernetId, Integer subnets, Long seed) {
        return transactions.execute(status -> schedule(create(supernetId, subnets, seed)));
    }

    /** Called in the transaction that stored the build: a QUEUED build no worker takes would block the next one. */
    private CatalogueBuilds.Build schedule(CatalogueBuilds.Build build) {
        try {
            scheduler.scheduleIfNotExists(
                    task.instance(build.id().toString(), build.id().toString()), Instant.now());
        } catch (RuntimeException e) {
            // thrown out of the transaction: the build's row goes with it
            throw new TrainingJobSubmission.QueueUnavailableException("catalogue build", e);
        }
        return build;
    }

    /** Mixed into the supernet's id for {@link #enqueueFirst}'s lock (ASCII "1stbuild"). */
    static final long FIRST_BUILD_LOCK = 0x3173746275696c64L;

    /**
     * The supernet's first build, queued with the default size unless it has a build already (then
     * empty). Its training run, the same run taken up again after a crash, and the sweep for builds
     * an outage lost may all ask: under a lock on the supernet, one build comes of it.
     */
    java.util.Optional<CatalogueBuilds.Build> enqueueFirst(UUID supernetId) {
        // not the supernet's own key: a build holds that for as long as it runs (AdvisoryLock), and a
        // worker asking for the first build would wait inside its transaction until that build ended
        java.util.Optional<CatalogueBuilds.Build> created = transactions.execute(status -> {
            jdbc.sql("select pg_advisory_xact_lock(:key)")
                    .param(
                            "key",
                            FIRST_BUILD_LOCK
                                    ^ supernetId.getMostSignificantBits()
                                    ^ supernetId.getLeastSignificantBits())
                    .query()
                    .singleRow();
            return builds.countOfSupernet(supernetId) > 0
                    ? java.util.Optional.<CatalogueBuilds.Build>empty()
                    : java.util.Optional.of(schedule(create(supernetId, null, null)));
        });
        return created;
    }

    /**
     * Cancels a queued or running build: cancelled at once, its queue entry removed unless a worker
     * runs it, and a run under way stops after the subnet it is evaluating (its rows are kept).
     */
    CatalogueBuilds.Build cancel(UUID supernetId, UUID buildId) {
        CatalogueBuilds.Build build = builds.find(buildId)
                .filter(b -> b.supernetId().equals(supernetId))
                .orElseThrow(() -> Problems.notFound(
                        "Catalogue build",
                        "supernet " + supernetId + " has no catalogue build " + buildId + "; GET /api/v1/supernets/"
                                + supernetId + "/catalogue-builds lists them"));
        if (!builds.cancel(buildId)) {
            throw Problems.conflict(
                    "catalogue build " + buildId + " has "
                            + builds.find(buildId).orElse(build).state().name().toLowerCase(java.util.Locale.ROOT)
                            + " already; only a queued or running build can be cancelled",
                    "buildId");
        }
        try {
            scheduler.cancel(com.github.kagkarlsson.scheduler.task.TaskInstanceId.of(
                    TrainingJobQueue.CATALOGUE_TASK, buildId.toString()));
        } catch (com.github.kagkarlsson.scheduler.exceptions.TaskInstanceException runningOrGone) {
            // a worker runs it (it stops after its subnet) or it was never queued (a catalogue verb's build)
            log.debug("Catalogue build {} has no queue entry to remove: {}", buildId, runningOrGone.getMessage());
        }
        log.info("Catalogue build {} cancelled", buildId);
        return builds.find(buildId).orElseThrow();
    }

    @EventListener
    void supernetTrained(CatalogueEvents.SupernetTrained trainedEvent) {
        if (!afterTraining) {
            return;
        }
        CatalogueBuilds.Build build;
        try {
            java.util.Optional<CatalogueBuilds.Build> first = enqueueFirst(trainedEvent.supernetId());
            if (first.isEmpty()) {
                return;
            }
            build = first.get();
        } catch (RuntimeException e) {
            // the training run succeeded all the same; the sweep for missing builds queues it later
            log.warn(
                    "Could not queue a catalogue build for supernet {}: {}", trainedEvent.supernetId(), e.getMessage());
            return;
        }
        log.info(
                "Supernet {} is trained: queued catalogue build {} ({} subnets); follow it at"
                        + " /api/v1/supernets/{}/catalogue-builds/{}",
                trainedEvent.supernetId(),
                build.id(),
                build.subnets(),
                trainedEvent.supernetId(),
                build.id());
    }
}
