package dev.tailor.jobs;

import dev.tailor.PeriodicWork;
import jakarta.annotation.PreDestroy;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A training run's success is stored before its catalogue build is queued, in a step of its own:
 * with the database away at that moment the build was never queued, and nothing asked again, so
 * the supernet stayed without a catalogue (the bootstrap's never answered). On a worker, every
 * {@code tailor.catalogue.missing-builds-interval-seconds} (300; 0 turns it off) this queues the
 * first build of each supernet trained in the last day that has none.
 */
@Component
@ConditionalOnProperty(name = "tailor.worker.enabled", havingValue = "true", matchIfMissing = true)
class MissingCatalogueBuilds {

    private static final Logger log = LoggerFactory.getLogger(MissingCatalogueBuilds.class);

    private final JdbcClient jdbc;
    private final CatalogueBuildQueue queue;
    private final boolean afterTraining;
    private final PeriodicWork work;

    MissingCatalogueBuilds(
            JdbcClient jdbc,
            CatalogueBuildQueue queue,
            @Value("${tailor.catalogue.build-after-training:true}") boolean afterTraining,
            @Value("${tailor.catalogue.missing-builds-interval-seconds:300}") long intervalSeconds) {
        this.jdbc = jdbc;
        this.queue = queue;
        this.afterTraining = afterTraining;
        this.work = new PeriodicWork(
                "missing-catalogue-builds",
                "tailor.catalogue.missing-builds-interval-seconds",
                intervalSeconds,
                Math.min(intervalSeconds, 60),
                this::sweep,
                log);
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (afterTraining) {
            work.start();
        }
    }

    @PreDestroy
    void stop() {
        work.stop();
    }

    /** Queues the missing builds; how many it queued. */
    int sweep() {
        List<UUID> missing = jdbc.sql("""
                        select distinct j.supernet_id from training_job j
                        join supernet s on s.id = j.supernet_id
                        where j.state = 'SUCCEEDED' and s.state = 'READY'
                          and j.updated_at > now() - interval '1 day'
                          and not exists (select 1 from catalogue_build b where b.supernet_id = j.supernet_id)
                        """).query(UUID.class).list();
        int queued = 0;
        for (UUID supernet : missing) {
            if (queue.enqueueFirst(supernet).isPresent()) {
                log.info("Supernet {} was trained but its catalogue build was never queued: queued it now", supernet);
                queued++;
            }
        }
        return queued;
    }
}
