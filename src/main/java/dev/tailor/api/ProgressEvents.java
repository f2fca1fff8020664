package dev.tailor.api;

import dev.tailor.InvalidSettingException;
import dev.tailor.ProcessShutdown;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-sent progress of long work (training, catalogue builds): polls the stored state once a
 * second, sends event {@code progress} whenever it changed, and ends the stream once the work is
 * finished or the service stops (the client reconnects to another replica, or to this one
 * restarted). Progress lives in the database, so any replica can serve the stream.
 *
 * <p>A client that goes away is only noticed when a write to it fails, and a queued or stalled job
 * writes nothing for hours: so an idle stream sends a comment line every {@code heartbeat}, and a
 * stream whose write fails stops polling. Open streams are capped, because each one polls the
 * database and reads may be open to anyone; one past the cap is answered 503 with Retry-After.
 */
@Component
public class ProgressEvents {

    private static final long POLL_MILLIS = 1000;
    private static final long RETRY_AFTER_SECONDS = 30;

    private final ScheduledExecutorService poller = Executors.newScheduledThreadPool(1, runnable -> {
        Thread thread = new Thread(runnable, "progress-events");
        thread.setDaemon(true);
        return thread;
    });
    private final long heartbeatNanos;
    private final int maxStreams;
    private final Supplier<SseEmitter> emitters;
    private final StreamAccess access;
    private final AtomicInteger open = new AtomicInteger();

    /** How often an open stream asks whether its caller's key still holds (a database query). */
    static final long ACCESS_CHECK_NANOS = 2_000_000_000L;

    @Autowired
    ProgressEvents(
            @Value("${tailor.events.heartbeat:15s}") Duration heartbeat,
            @Value("${tailor.events.max-streams:100}") int maxStreams,
            org.springframework.beans.factory.ObjectProvider<StreamAccess> access) {
        this(
                heartbeat,
                maxStreams,
                () -> new SseEmitter(TimeUnit.HOURS.toMillis(1)),
                access.getIfAvailable(() -> () -> () -> true));
    }

    ProgressEvents(Duration heartbeat, int maxStreams, Supplier<SseEmitter> emitters) {
        this(heartbeat, maxStreams, emitters, () -> () -> true);
    }

    ProgressEvents(Duration heartbeat, int maxStreams, Supplier<SseEmitter> emitters, StreamAccess access) {
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new InvalidSettingException(
                    "tailor.events.heartbeat", "must be positive, e.g. 15s; got " + heartbeat);
        }
        if (maxStreams < 1) {
            throw new InvalidSettingException("tailor.events.max-streams", "must be at least 1; got " + maxStreams);
        }
        this.heartbeatNanos = heartbeat.toNanos();
        this.maxStreams = maxStreams;
        this.emitters = emitters;
        this.access = access;
    }

    /** @param snapshot the current state as the GET endpoint returns it; compared by equals */
    public <T> SseEmitter stream(Supplier<T> snapshot, Predicate<T> finished) {
        if (askedWithHead()) {
            // a HEAD's body is thrown away, so its writes never fail: polled, it would hold a slot for an hour
            SseEmitter headers = emitters.get();
            headers.complete();
            return headers;
        }
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            ErrorResponseException busy = Problems.unavailable(
                    "this replica already serves " + maxStreams + " progress streams"
                            + " (tailor.events.max-streams); poll the job's GET instead, or try again later",
                    RETRY_AFTER_SECONDS,
                    Map.of());
            busy.getBody().setTitle("Too many progress streams");
            throw busy;
        }
        SseEmitter emitter = emitters.get();
        Stream<T> stream = new Stream<>(emitter, snapshot, finished, access.forCurrentCaller());
        emitter.onCompletion(stream::close);
        emitter.onTimeout(stream::close);
        emitter.onError(error -> stream.close());
        stream.future = poller.scheduleWithFixedDelay(stream, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (stream.closed.get()) {
            stream.future.cancel(false);
        }
        return emitter;
    }

    private static boolean askedWithHead() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes request
                && "HEAD".equals(request.getRequest().getMethod());
    }

    /** Streams this replica serves now. */
    int openStreams() {
        return open.get();
    }

    private final class Stream<T> implements Runnable {

        private final SseEmitter emitter;
        private final Supplier<T> snapshot;
        private final Predicate<T> finished;
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile ScheduledFuture<?> future;
        private final java.util.function.BooleanSupplier allowed;
        private T lastSent;
        private long lastWrite = System.nanoTime();
        private long lastAccessCheck = System.nanoTime();

        Stream(
                SseEmitter emitter,
                Supplier<T> snapshot,
                Predicate<T> finished,
                java.util.function.BooleanSupplier allowed) {
            this.emitter = emitter;
            this.snapshot = snapshot;
            this.finished = finished;
            this.allowed = allowed;
        }

        /** Whether the caller's key still holds, asked every {@link #ACCESS_CHECK_NANOS}. */
        private boolean stillAllowed() {
            long now = System.nanoTime();
            if (now - lastAccessCheck < ACCESS_CHECK_NANOS) {
                return true;
            }
            lastAccessCheck = now;
            return allowed.getAsBoolean();
        }

        @Override
        public void run() {
            if (closed.get()) {
                cancel();
                return;
            }
            T now;
            try {
                if (!stillAllowed()) {
                    // the key was revoked: its next request would get a 401, so no more events either
                    close();
                    emitter.complete();
                    return;
                }
                now = snapshot.get();
            } catch (RuntimeException e) {
                // the work vanished or its state cannot be read: end the response too, or the client's
                // connection stays open, silent and uncounted, until the emitter's timeout
                close();
                emitter.complete();
                return;
            }
            try {
                long at = System.nanoTime();
                if (!Objects.equals(now, lastSent)) {
                    lastSent = now;
                    emitter.send(SseEmitter.event().name("progress").data(now));
                    lastWrite = at;
                } else if (at - lastWrite >= heartbeatNanos) {
                    emitter.send(SseEmitter.event().comment("unchanged"));
                    lastWrite = at;
                }
                // a stopping service ends its streams, or its graceful stop would wait on them
                if (finished.test(now) || ProcessShutdown.started()) {
                    emitter.complete();
                    close();
                }
            } catch (IOException | RuntimeException e) {
                // the client went away (the container ends the response); stop polling for it
                close();
            }
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                open.decrementAndGet();
            }
            cancel();
        }

        private void cancel() {
            ScheduledFuture<?> scheduled = future;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }
}
