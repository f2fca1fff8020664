package dev.tailor.specialize;

import dev.tailor.export.ExportedFileTimings;
import dev.tailor.latency.HostSpeedCheck;
import dev.tailor.latency.LatencyStats;
import jakarta.annotation.PreDestroy;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
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
 * On a worker, times again the files of host-cpu answers that were timed in a slow episode of the
 * host at export, once every {@code tailor.specialization.retime-interval-seconds} (60; 0 turns it
 * off), and stores the later figure as the answer's latency (the figure at export kept beside it)
 * once a timing reads the host's usual speed. An export then need not wait a slow episode out
 * ({@code tailor.specialization.episode-wait-seconds}, 4), which kept a cold request past 15 s.
 * A tick is skipped while a training job runs, and stops at the first file still timed slow: the
 * host has not left its episode yet.
 */
@Component
@ConditionalOnProperty(name = "tailor.worker.enabled", havingValue = "true", matchIfMissing = true)
class SlowEpisodeRetimer {

    private static final Logger log = LoggerFactory.getLogger(SlowEpisodeRetimer.class);

    /** Files timed per tick at most: about a second each. */
    static final int PER_TICK = 10;

    /** Whether a timing reads a slow episode against what the model expected. */
    @FunctionalInterface
    interface EpisodeMark {
        boolean slow(double measuredMs, double expectedMs);
    }

    private final SlowEpisodeAnswers answers;
    private final Function<byte[], LatencyStats> timer;
    private final ExportedFileTimings timings;
    private final EpisodeMark mark;
    private final BooleanSupplier training;
    private final long intervalSeconds;
    private ScheduledExecutorService ticks;

    @Autowired
    SlowEpisodeRetimer(
            SlowEpisodeAnswers answers,
            ExportedFileTimings timings,
            HostSpeedCheck speedCheck,
            JdbcClient jdbc,
            @Value("${tailor.specialization.retime-interval-seconds:60}") long intervalSeconds) {
        this(
                answers,
                timings::time,
                timings,
                speedCheck::slowEpisode,
                () -> jdbc.sql("select count(*) from training_job where state = 'RUNNING'")
                                .query(Long.class)
                                .single()
                        > 0,
                intervalSeconds);
    }

    /** With another timer, episode mark and way to tell that training runs (tests). */
    SlowEpisodeRetimer(
            SlowEpisodeAnswers answers,
            Function<byte[], LatencyStats> timer,
            ExportedFileTimings timings,
            EpisodeMark mark,
            BooleanSupplier training,
            long intervalSeconds) {
        if (intervalSeconds < 0) {
            throw new IllegalArgumentException(
                    "tailor.specialization.retime-interval-seconds must be 0 (off) or more; got " + intervalSeconds);
        }
        this.answers = answers;
        this.timer = timer;
        this.timings = timings;
        this.mark = mark;
        this.training = training;
        this.intervalSeconds = intervalSeconds;
    }

    @EventListener(ApplicationReadyEvent.class)
    synchronized void start() {
        if (intervalSeconds == 0 || ticks != null) {
            return;
        }
        // ONNX Runtime needs a large stack
        ticks = Executors.newSingleThreadScheduledExecutor(dev.tailor.NativeStacks.threads("slow-episode-retimer"));
        ticks.scheduleWithFixedDelay(this::tickQuietly, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
    }

    @PreDestroy
    synchronized void stop() {
        if (ticks != null) {
            ticks.shutdownNow();
            ticks = null;
        }
    }

    /** How many answers this tick corrected. */
    int tick() {
        if (training.getAsBoolean()) {
            return 0;
        }
        int corrected = 0;
        for (SlowEpisodeAnswers.Flagged answer : answers.oldest(PER_TICK)) {
            Optional<byte[]> file = answers.file(answer);
            // with no latency model left to judge a timing by, the answer stays as it was stored
            if (file.isEmpty() || answer.expectedMs() <= 0) {
                continue;
            }
            LatencyStats timed = timer.apply(file.get());
            if (mark.slow(timed.p50Ms(), answer.expectedMs())) {
                // the host has not left its episode yet: the next tick tries again
                log.info(
                        "specialization {}: file timed again at {} ms, {} ms expected: still a slow episode",
                        answer.id(),
                        timed.p50Ms(),
                        answer.expectedMs());
                break;
            }
            if (answers.retimed(answer, timed.p50Ms(), OffsetDateTime.now().withNano(0))) {
                timings.store(answer.subnetId(), timed);
                log.info(
                        "specialization {}: file timed in a slow episode at export ({} ms) timed again at {} ms",
                        answer.id(),
                        answer.msAtExport(),
                        timed.p50Ms());
                corrected++;
            }
        }
        return corrected;
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            // the database may be away for a while; the next tick tries again
            log.warn("re-timing of answers timed in a slow episode skipped a tick: {}", e.getMessage());
        }
    }
}
