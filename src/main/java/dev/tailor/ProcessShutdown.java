package dev.tailor;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import sun.misc.Signal;

/**
 * Stopping the process without breaking the work under way. ONNX Runtime closes its environment in
 * a JVM shutdown hook of its own, and the JVM runs every hook at once: on a plain SIGTERM that hook
 * ran beside Spring's, so a catalogue build's subnet under way failed ("Attempt to use
 * DefaultLogger but none has been registered") and the build was marked failed, or the process
 * died of SIGSEGV inside ONNX Runtime, before the job schedulers were even told to stop.
 *
 * <p>So a service ({@code serve}, {@code worker}) handles SIGTERM and SIGINT itself: it marks the
 * stop ({@link #started()} turns true, which long work asks at its step boundaries), closes the
 * Spring context (requests finish, jobs stop at a boundary and go back to the queue, the database
 * stops last) and only then exits, running the hooks, ONNX Runtime's among them, with nothing
 * left to break. A one-shot verb ({@code train}, {@code catalogue}, ...) waits for its work to stop
 * at its boundary and say how to continue; a device agent, for its batch of timings to be posted. A
 * second signal, or a stop that outlasts {@code limit}, exits at once.
 */
public final class ProcessShutdown {

    private static final Logger log = LoggerFactory.getLogger(ProcessShutdown.class);

    /** The exit status of a process stopped by SIGTERM (128 + 15), as the JVM's own handler gives. */
    static final int STOPPED_BY_SIGNAL = 143;

    private static final AtomicBoolean STOPPING = new AtomicBoolean();

    private ProcessShutdown() {}

    /**
     * True once a stop has begun: a signal handled by {@link #onSignals}, or the JVM running its
     * shutdown hooks by another way out ({@code System.exit}, a signal before the handler is in place).
     */
    public static boolean started() {
        return STOPPING.get() || jvmShuttingDown();
    }

    /** Whether a signal handled by {@link #onSignals} began the stop. */
    static boolean signalled() {
        return STOPPING.get();
    }

    /** Lets SIGTERM and SIGINT close {@code context} first, then exit. */
    static void onSignals(ConfigurableApplicationContext context, Duration limit) {
        onSignals(context::close, limit);
    }

    /** Lets SIGTERM and SIGINT run {@code stopWork} (which returns once the work has stopped) first, then exit. */
    static void onSignals(Runnable stopWork, Duration limit) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> stop(stopWork, limit, "SIG" + signal.getName()));
        }
    }

    private static void stop(Runnable stopWork, Duration limit, String signal) {
        if (!STOPPING.compareAndSet(false, true)) {
            log.warn("{} again while stopping: exiting now", signal);
            Runtime.getRuntime().exit(STOPPED_BY_SIGNAL);
            return;
        }
        log.info("{}: stopping once the work under way reaches a step boundary", signal);
        Thread closing = new Thread(stopWork, "graceful-stop");
        closing.start();
        try {
            closing.join(limit.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closing.isAlive()) {
            log.warn("stopping took longer than {} s: exiting now", limit.toSeconds());
        }
        Runtime.getRuntime().exit(STOPPED_BY_SIGNAL);
    }

    private static boolean jvmShuttingDown() {
        Thread probe = new Thread(() -> {});
        try {
            // the JVM refuses new hooks once shutdown has begun, before any hook runs
            Runtime.getRuntime().addShutdownHook(probe);
        } catch (IllegalStateException shuttingDown) {
            return true;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(probe);
        } catch (IllegalStateException shuttingDown) {
            return true;
        }
        return false;
    }
}
