package dev.tailor;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for native work (libtorch through DJL, ONNX Runtime) with a large stack. ONNX Runtime
 * 1.29 and libtorch 2.7 need more than a Java thread's default 1 MiB on some CPUs: on a 2-core AMD
 * EPYC here, creating ONNX Runtime's environment in a thread of 1 or 2 MiB ends the whole process
 * with SIGSEGV (no hs_err file, no Java exception), and with 4 MiB it works. The stack is
 * reserved, not committed: an idle thread costs no memory for it.
 */
public final class NativeStacks {

    /** What every thread that runs native work gets: four times the largest size seen to fail. */
    public static final long STACK_BYTES = 16L << 20;

    private NativeStacks() {}

    /** Daemon threads named {@code prefix-N}, each with {@link #STACK_BYTES} of stack. */
    public static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return work -> {
            Thread thread = new Thread(null, work, prefix + "-" + count.incrementAndGet(), STACK_BYTES);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** A fixed pool of such threads (for db-scheduler's executors). */
    public static ExecutorService pool(String prefix, int threads) {
        return Executors.newFixedThreadPool(threads, threads(prefix));
    }

    /** Runs the work in a thread with a large stack and waits for it: {@code main} runs the verbs this way. */
    public static <T> T call(String name, Callable<T> work) {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread thread = new Thread(
                null,
                () -> {
                    try {
                        result[0] = work.call();
                    } catch (Throwable t) {
                        failure[0] = t;
                    }
                },
                name,
                STACK_BYTES);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + " interrupted", e);
        }
        if (failure[0] instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure[0] instanceof Error error) {
            throw error;
        }
        if (failure[0] != null) {
            throw new IllegalStateException(failure[0]);
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }
}
