package dev.tailor.specialize;

import dev.tailor.PeriodicWork;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.export.ExportedFileTimings;
import dev.tailor.latency.HostSpeedCheck;
import dev.tailor.latency.LatencyStats;
import jakarta.annotation.PreDestroy;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
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
    private final PeriodicWork work;

    @Autowired
    SlowEpisodeRetimer(
            SlowEpisodeAnswers answers,
            ExportedFileTimings timings,
            HostSpeedCheck speedCheck,
            TrainingJobRepository trainingJobs,
            @Value("${tailor.specialization.retime-interval-seconds:60}") long intervalSeconds) {
        this(answers, timings::time, timings, speedCheck::slowEpisode, trainingJobs::trainingNow, intervalSeconds);
    }

    /** With another timer, episode mark and way to tell that training runs (tests). */
    SlowEpisodeRetimer(
            SlowEpisodeAnswers answers,
            Function<byte[], LatencyStats> timer,
            ExportedFileTimings timings,
            EpisodeMark mark,
            BooleanSupplier training,
            long intervalSeconds) {
        this.answers = answers;
        this.timer = timer;
        this.timings = timings;
        this.mark = mark;
        this.training = training;
        this.work = new PeriodicWork(
                "slow-episode-retimer",
                "tailor.specialization.retime-interval-seconds",
                intervalSeconds,
                intervalSeconds,
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
}
