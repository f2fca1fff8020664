package dev.tailor.api;

import dev.tailor.ProcessShutdown;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-sent progress of long work (training, catalogue builds): polls the stored state once a
 * second, sends event {@code progress} whenever it changed, and ends the stream once the work is
 * finished or the service stops (the client reconnects to another replica, or to this one restarted). Progress lives in the database, so any replica can serve the stream.
 */
public final class ProgressEvents {

    private static final long POLL_MILLIS = 1000;
    private static final ScheduledExecutorService POLLER = Executors.newScheduledThreadPool(1, runnable -> {
        Thread thread = new Thread(runnable, "progress-events");
        thread.setDaemon(true);
        return thread;
    });

    private ProgressEvents() {}

    /** @param snapshot the current state as the GET endpoint returns it; compared by equals */
    public static <T> SseEmitter stream(Supplier<T> snapshot, Predicate<T> finished) {
        SseEmitter emitter = new SseEmitter(TimeUnit.HOURS.toMillis(1));
        AtomicReference<T> lastSent = new AtomicReference<>();
        AtomicReference<ScheduledFuture<?>> poll = new AtomicReference<>();
        poll.set(POLLER.scheduleWithFixedDelay(
                () -> {
                    try {
                        T now = snapshot.get();
                        if (!Objects.equals(now, lastSent.get())) {
                            lastSent.set(now);
                            emitter.send(SseEmitter.event().name("progress").data(now));
                        }
                        // a stopping service ends its streams, or its graceful stop would wait on them
                        if (finished.test(now) || ProcessShutdown.started()) {
                            emitter.complete();
                            poll.get().cancel(false);
                        }
                    } catch (IOException | RuntimeException e) {
                        // the client went away, or the work vanished; stop polling for it
                        poll.get().cancel(false);
                    }
                },
                0,
                POLL_MILLIS,
                TimeUnit.MILLISECONDS));
        emitter.onCompletion(() -> poll.get().cancel(false));
        emitter.onTimeout(() -> poll.get().cancel(false));
        return emitter;
    }
}
