package dev.tailor.jobs;

import dev.tailor.ProcessShutdown;
import dev.tailor.training.Checkpoint;
import dev.tailor.training.TrainingListener;
import dev.tailor.training.TrainingProgress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on the terminal: redrawn in place twice a second on a console, one line per
 * tenth of an epoch when output goes to a file or a pipe.
 */
public final class ConsoleProgress implements TrainingListener {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean interactive;
    private long lastDraw;
    private long lastLoggedDecile = -1;

    public ConsoleProgress(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public void onProgress(TrainingProgress p) {
        if (interactive) {
            long now = System.nanoTime();
            if (now - lastDraw > 500_000_000L || p.step() == p.stepsPerEpoch()) {
                lastDraw = now;
                out.print("\r" + line(p));
                out.flush();
            }
            return;
        }
        long decile = (long) Math.floor(p.fractionDone() * p.epochs() * 10);
        if (decile != lastLoggedDecile) {
            lastLoggedDecile = decile;
            out.println(line(p));
        }
    }

    /** Ctrl-C or SIGTERM: the run stops at the next step boundary and the same command continues it. */
    @Override
    public boolean stopRequested() {
        return ProcessShutdown.started();
    }

    @Override
    public void onCheckpoint(int epoch, Checkpoint checkpoint, byte[] bytes) {
        if (interactive) {
            out.println();
        }
        out.printf(
                Locale.ROOT,
                "epoch %d/%d done (%s), checkpoint %.1f MB stored%n",
                epoch + 1,
                checkpoint.options().epochs(),
                checkpoint.phase(),
                bytes.length / 1e6);
    }

    @Override
    public void onStoppedPartWay(
            int epoch, int steps, Checkpoint checkpoint, java.util.function.Supplier<byte[]> bytes) {
        if (interactive) {
            out.println();
        }
        out.printf(
                Locale.ROOT,
                "stopped after step %d of epoch %d/%d (%s), checkpoint %.1f MB stored%n",
                steps,
                epoch + 1,
                checkpoint.options().epochs(),
                checkpoint.phase(),
                bytes.get().length / 1e6);
    }

    static String line(TrainingProgress p) {
        int filled = (int) Math.round(p.fractionDone() * WIDTH);
        String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        return String.format(
                Locale.ROOT,
                "[%s] %3.0f%% epoch %d/%d step %d/%d %-18s loss %.4f lr %.4f eps %.2f %6.0f img/s ETA %s",
                bar,
                p.fractionDone() * 100,
                p.epoch() + 1,
                p.epochs(),
                p.step(),
                p.stepsPerEpoch(),
                p.phase(),
                p.loss(),
                p.learningRate(),
                p.epsilon(),
                p.imagesPerSecond(),
                duration(p.etaSeconds()));
    }

    static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
