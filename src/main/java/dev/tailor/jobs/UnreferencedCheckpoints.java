package dev.tailor.jobs;

import dev.tailor.PeriodicWork;
import dev.tailor.training.Checkpoint;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A run stores its new checkpoint and deletes the one before in a second transaction: a process
 * killed, or the database gone, between the two left the old one (megabytes) referred to by nothing,
 * for good. On a worker, every {@code tailor.checkpoints.sweep-interval-seconds} (3600; 0 turns it
 * off) this deletes checkpoints that no row refers to and that are older than an hour (a checkpoint
 * is stored and referred to in one transaction, so the hour is only a margin).
 */
@Component
@ConditionalOnProperty(name = "tailor.worker.enabled", havingValue = "true", matchIfMissing = true)
class UnreferencedCheckpoints {

    private static final Logger log = LoggerFactory.getLogger(UnreferencedCheckpoints.class);

    private final JdbcClient jdbc;
    private final PeriodicWork work;

    UnreferencedCheckpoints(
            JdbcClient jdbc, @Value("${tailor.checkpoints.sweep-interval-seconds:3600}") long intervalSeconds) {
        this.jdbc = jdbc;
        this.work = new PeriodicWork(
                "unreferenced-checkpoints",
                "tailor.checkpoints.sweep-interval-seconds",
                intervalSeconds,
                Math.min(intervalSeconds, 600),
                this::sweep,
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

    /** Deletes the checkpoints nothing refers to, older than an hour; how many it deleted. */
    int sweep() {
        int deleted = jdbc.sql("""
                        delete from artifact a
                        where a.media_type = :mediaType and a.created_at < now() - interval '1 hour'
                          and not exists (select 1 from training_job j where j.last_checkpoint = a.sha256)
                          and not exists (select 1 from supernet s where s.checkpoint_sha256 = a.sha256)
                          and not exists (select 1 from subnet n where n.onnx_sha256 = a.sha256)
                          and not exists (select 1 from accuracy_predictor p where p.artifact_sha256 = a.sha256)
                          and not exists (select 1 from specialization z where z.onnx_sha256 = a.sha256)""").param("mediaType", Checkpoint.MEDIA_TYPE).update();
        if (deleted > 0) {
            log.info(
                    "Deleted {} checkpoints that nothing refers to (left by runs stopped between two writes)", deleted);
        }
        return deleted;
    }
}
