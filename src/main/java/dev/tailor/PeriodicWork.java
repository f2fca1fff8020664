package dev.tailor;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Work a worker repeats in the background on one thread of its own with a large stack (it times
 * models in ONNX Runtime): a pass every {@code intervalSeconds} (0: never). A pass that fails is
 * logged and the next one tries again: the database may be away for a while.
 */
public final class PeriodicWork {

    private final String name;
    private final long intervalSeconds;
    private final long firstDelaySeconds;
    private final Runnable pass;
    private final Logger log;
    private ScheduledExecutorService ticks;

    /**
     * @param property the setting {@code intervalSeconds} comes from, named when it is refused
     * @param firstDelaySeconds how long after {@link #start()} the first pass comes
     */
    public PeriodicWork(
            String name, String property, long intervalSeconds, long firstDelaySeconds, Runnable pass, Logger log) {
        if (intervalSeconds < 0) {
            throw new InvalidSettingException(property, "must be 0 (off) or more; got " + intervalSeconds);
        }
        this.name = name;
        this.intervalSeconds = intervalSeconds;
        this.firstDelaySeconds = firstDelaySeconds;
        this.pass = pass;
        this.log = log;
    }

    public synchronized void start() {
        if (intervalSeconds == 0 || ticks != null) {
            return;
        }
        ticks = Executors.newSingleThreadScheduledExecutor(NativeStacks.threads(name));
        ticks.scheduleWithFixedDelay(this::passQuietly, firstDelaySeconds, intervalSeconds, TimeUnit.SECONDS);
    }

    /** Stops the passes; one under way is waited for (10 s at most), so that nothing times a model as the process ends. */
    public synchronized void stop() {
        if (ticks != null) {
            ticks.shutdownNow();
            try {
                if (!ticks.awaitTermination(10, TimeUnit.SECONDS)) {
                    log.warn("{}: a pass still runs after 10 s", name);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ticks = null;
        }
    }

    private void passQuietly() {
        if (ProcessShutdown.started()) {
            return; // a stopping process times nothing more
        }
        try {
            pass.run();
        } catch (RuntimeException e) {
            if (ProcessShutdown.started()) {
                return; // ONNX Runtime closes as the process stops; nothing is lost
            }
            log.warn("{} skipped a pass: {}", name, e.getMessage());
        }
    }
}
