package dev.tailor;

import java.io.PrintStream;

/**
 * Where a one-shot verb writes its result. A verb's result goes to standard output and everything else
 * (Spring's and Tailor's log lines, a library's chatter) to standard error, as command-line tools do, so
 * that {@code KEY=$(./tailor keys create ...)} captures the key alone: Spring's console log writes to
 * {@code System.out}, which a one-shot verb points at standard error while it runs.
 */
public final class StandardOutput {

    private static volatile PrintStream results;
    private static volatile boolean untilExit;

    private StandardOutput() {}

    /** The stream a verb's result is printed on: standard output, also while logs are sent away from it. */
    public static PrintStream results() {
        PrintStream redirected = results;
        return redirected != null ? redirected : System.out;
    }

    /** A process that ends after its verb keeps the redirect to the end (set by {@code main}, not by tests). */
    static void keepRedirectedUntilExit() {
        untilExit = true;
    }

    /** Until closed, whatever else writes to {@code System.out} writes to standard error. */
    static Redirect logsToStandardError() {
        PrintStream stdout = System.out;
        results = stdout;
        System.setOut(System.err);
        return () -> {
            if (!untilExit) {
                System.setOut(stdout);
                results = null;
            }
        };
    }

    /** Undoes {@link #logsToStandardError()}, unless the process ends with its verb. */
    interface Redirect extends AutoCloseable {
        @Override
        void close();
    }
}
