package dev.tailor.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.tailor.space.SearchSpace;
import dev.tailor.training.Trainer;
import dev.tailor.training.TrainingData;
import dev.tailor.training.TrainingListener;
import dev.tailor.training.TrainingOptions;
import dev.tailor.training.TrainingProgress;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks the schedule comparison's yardstick: does a pilot (epochs of {@link
 * ScheduleBudget#PILOT_STEPS} steps, on its own thread) price a step as a long epoch on the main
 * thread pays for it? The two take turns every {@link ScheduleBudget#PILOT_STEPS} steps, so the
 * machine's drift in speed falls on both alike; each turn's first {@link
 * ScheduleBudget#PILOT_UNCOUNTED_STEPS} steps are left out for both, as the pilot leaves them out.
 * The turn-by-turn prices also show the drift itself.
 */
final class PilotPriceCheck {

    /** Turns per window of the drift table. */
    static final int WINDOW_TURNS = 5;

    static final int MAX_TURNS = ScheduleBudget.PILOT_EPOCHS - 1;

    private final SearchSpace space;
    private final TrainingData data;
    private final String schedule;
    private final int batchSize;
    private final int turns;
    private final int longEpochSteps;
    private final PrintStream log;

    /**
     * {@code turns} turns each (at most {@link #MAX_TURNS}: the pilot has that many epochs after its
     * first); the long run's epoch has {@code longEpochSteps} steps (0: the whole training set).
     */
    PilotPriceCheck(
            SearchSpace space,
            TrainingData data,
            String schedule,
            int batchSize,
            int turns,
            int longEpochSteps,
            PrintStream log) {
        if (turns > MAX_TURNS) {
            throw new IllegalArgumentException(
                    "--turns: at most " + MAX_TURNS + " (the pilot's epochs after its first), not " + turns);
        }
        this.space = space;
        this.data = data;
        this.schedule = schedule;
        this.batchSize = batchSize;
        this.turns = turns;
        this.longEpochSteps = longEpochSteps;
        this.log = log;
    }

    /** CPU seconds of each counted step, by turn: {@code [turn][step]}, for the long run and the pilot. */
    record Measured(List<double[]> longRun, List<double[]> pilot, boolean sameThread) {}

    /**
     * Measures both. On two threads (as {@code bench schedules} runs its pilots) they take turns
     * through {@link PilotTurns}; on one ({@code sameThread}) the pilot's epochs run inside the long
     * epoch's progress callback, one per turn, so both are priced on the same thread.
     */
    Measured measure(boolean sameThread) {
        TrainingOptions longRun = TrainingOptions.defaults(schedule, 32)
                .withBatchSize(batchSize)
                .withLimits(data.validation().size(), 2000, longEpochSteps);
        TrainingOptions pilot = TrainingOptions.defaults(schedule, ScheduleBudget.PILOT_EPOCHS)
                .withBatchSize(batchSize)
                .withLimits(data.validation().size(), 2000, ScheduleBudget.PILOT_STEPS);
        // the first turn of each is left out, as the pilot leaves its first epoch out (JIT): one turn more
        TurnClock longTurns = new TurnClock(turns + 1);
        TurnClock pilotTurns = new TurnClock(turns + 1);
        if (sameThread) {
            try (Trainer longTrainer = new Trainer(space, data, longRun);
                    Trainer pilotTrainer = new Trainer(space, data, pilot)) {
                longTurns.atTurnEnd = () -> {
                    logTurn(longTurns);
                    pilotTurns.stopAfter = pilotTurns.turns.size() + 1;
                    pilotTrainer.train(pilotTurns); // returns at its next epoch's first step
                    pilotTurns.stopAfter = Integer.MAX_VALUE;
                };
                pilotTurns.atTurnEnd = () -> {};
                longTrainer.train(longTurns);
            }
        } else {
            PilotTurns ring = new PilotTurns(2);
            Throwable[] failed = {null};
            Thread pilotThread = new Thread(() -> takeTurns(pilot, 1, ring, pilotTurns, failed), "pilot-check");
            pilotThread.start();
            takeTurns(longRun, 0, ring, longTurns, failed);
            try {
                pilotThread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the pilot ran", e);
            }
            if (failed[0] != null) {
                throw new IllegalStateException("the pilot check failed: " + failed[0], failed[0]);
            }
        }
        return new Measured(
                longTurns.turns.subList(1, longTurns.turns.size()),
                pilotTurns.turns.subList(1, pilotTurns.turns.size()),
                sameThread);
    }

    private void logTurn(TurnClock clock) {
        if (clock.turns.size() % WINDOW_TURNS == 0) {
            log.printf(Locale.ROOT, "bench: pilot check, turn %d of %d%n", clock.turns.size(), clock.turnCount);
        }
    }

    private void takeTurns(TrainingOptions options, int me, PilotTurns ring, TurnClock clock, Throwable[] failed) {
        clock.atTurnEnd = () -> {
            if (me == 0) {
                logTurn(clock);
            }
            try {
                ring.passAndAwait(me);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        };
        try {
            ring.await(me);
            try (Trainer trainer = new Trainer(space, data, options)) {
                trainer.train(clock);
            }
        } catch (Throwable e) {
            failed[0] = e;
        } finally {
            ring.leave(me);
        }
    }

    /**
     * Process CPU seconds of each step, by turn of {@link ScheduleBudget#PILOT_STEPS} steps, the
     * first {@link ScheduleBudget#PILOT_UNCOUNTED_STEPS} of a turn left out; {@code atTurnEnd} runs
     * after a turn's last step and is not charged to the next.
     */
    private static final class TurnClock implements TrainingListener {
        final List<double[]> turns = java.util.Collections.synchronizedList(new ArrayList<>());
        final int turnCount;
        Runnable atTurnEnd;
        /** Stop once so many turns are done (a pilot driven one epoch at a time). */
        int stopAfter = Integer.MAX_VALUE;

        private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private double[] turn = new double[ScheduleBudget.PILOT_STEPS - ScheduleBudget.PILOT_UNCOUNTED_STEPS];
        private int step;
        private long last = -1;

        TurnClock(int turnCount) {
            this.turnCount = turnCount;
        }

        @Override
        public void onProgress(TrainingProgress progress) {
            long now = os.getProcessCpuTime();
            int inTurn = step % ScheduleBudget.PILOT_STEPS;
            if (inTurn >= ScheduleBudget.PILOT_UNCOUNTED_STEPS && last >= 0) {
                turn[inTurn - ScheduleBudget.PILOT_UNCOUNTED_STEPS] = (now - last) / 1e9;
            }
            step++;
            if (step % ScheduleBudget.PILOT_STEPS == 0) {
                turns.add(turn);
                turn = new double[ScheduleBudget.PILOT_STEPS - ScheduleBudget.PILOT_UNCOUNTED_STEPS];
                atTurnEnd.run();
            }
            last = os.getProcessCpuTime();
        }

        @Override
        public boolean stopRequested() {
            return turns.size() >= Math.min(turnCount, stopAfter);
        }
    }

    /** The summary and the drift, window by window. */
    static List<BenchReport> tables(Measured measured, String schedule, String command) {
        BenchReport summary = new BenchReport(
                "Pilot price check: " + schedule + ", a pilot against a long epoch, taking turns",
                List.of("run", "counted steps", "CPU s per step (mean)", "lowest window", "highest window"));
        List<Double> longWindows = windows(measured.longRun());
        List<Double> pilotWindows = windows(measured.pilot());
        double longMean = mean(measured.longRun());
        double pilotMean = mean(measured.pilot());
        summary.row(
                measured.sameThread() ? "long epoch" : "long epoch (main thread)",
                count(measured.longRun()),
                longMean,
                min(longWindows),
                max(longWindows));
        summary.row(
                "pilot (" + ScheduleBudget.PILOT_STEPS + "-step epochs"
                        + (measured.sameThread() ? " on the same thread)" : " on its own thread)"),
                count(measured.pilot()),
                pilotMean,
                min(pilotWindows),
                max(pilotWindows));
        summary.note(String.format(
                Locale.ROOT,
                "Command: `%s`. The pilot prices the long epoch's step at %.3f of what the long epoch paid in the"
                        + " same minutes. Both take turns every %d steps, %s; of each turn the first %d steps are left"
                        + " out for both (the pilot's epoch start and checkpoint fall there), and the first turn of"
                        + " each (JIT). A window is %d turns; the spread between windows is the machine's drift.",
                command,
                pilotMean / longMean,
                ScheduleBudget.PILOT_STEPS,
                measured.sameThread()
                        ? "on one thread (the pilot's epoch runs inside the long epoch's progress callback)"
                        : "each on its own thread (as the schedules' pilots ran before they took turns on one thread)",
                ScheduleBudget.PILOT_UNCOUNTED_STEPS,
                WINDOW_TURNS));
        BenchReport drift = new BenchReport(
                "Drift: CPU s per step, window by window",
                List.of("window", "turns", "long epoch", "pilot", "pilot / long"));
        for (int w = 0; w < Math.min(longWindows.size(), pilotWindows.size()); w++) {
            drift.row(
                    w + 1,
                    (w * WINDOW_TURNS + 1) + "-" + ((w + 1) * WINDOW_TURNS),
                    longWindows.get(w),
                    pilotWindows.get(w),
                    pilotWindows.get(w) / longWindows.get(w));
        }
        return List.of(summary, drift);
    }

    private static List<Double> windows(List<double[]> turns) {
        List<Double> windows = new ArrayList<>();
        for (int start = 0; start + WINDOW_TURNS <= turns.size(); start += WINDOW_TURNS) {
            windows.add(mean(turns.subList(start, start + WINDOW_TURNS)));
        }
        if (windows.isEmpty() && !turns.isEmpty()) {
            windows.add(mean(turns));
        }
        return windows;
    }

    static double mean(List<double[]> turns) {
        double sum = 0;
        int n = 0;
        for (double[] turn : turns) {
            for (double seconds : turn) {
                sum += seconds;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static int count(List<double[]> turns) {
        return turns.stream().mapToInt(turn -> turn.length).sum();
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
