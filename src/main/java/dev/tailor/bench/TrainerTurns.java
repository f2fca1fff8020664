package dev.tailor.bench;

import dev.tailor.space.SearchSpace;
import dev.tailor.training.Trainer;
import dev.tailor.training.TrainingData;
import dev.tailor.training.TrainingListener;
import dev.tailor.training.TrainingOptions;
import dev.tailor.training.TrainingProgress;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * A trainer's steps taken in turns: the trainer runs on a thread of its own and, after each step,
 * waits until it is asked for more. Its steps are the trainer's own (data, augmentation, every subnet
 * of the schedule's phase, optimizer); a turn is timed from the request to the end of its last step.
 */
final class TrainerTurns implements StepTurns {

    private static final long GIVE_UP_MINUTES = 30;

    /** A turn's step count going in; {@code 0} ends the run. */
    private final SynchronousQueue<Integer> asked = new SynchronousQueue<>();
    /** A turn's end, from {@link System#nanoTime()}. */
    private final SynchronousQueue<Long> done = new SynchronousQueue<>();

    private final Thread thread;
    private volatile boolean closed;
    /** What ended the run early, for the turn that finds the thread gone. */
    private volatile Throwable failure;

    /**
     * Starts a trainer of {@code schedule}'s first phase that can run up to {@code maxSteps} steps
     * (its single epoch is one step longer, so that it never reaches the epoch's end-of-epoch work).
     */
    TrainerTurns(SearchSpace space, TrainingData data, String schedule, int batch, long maxSteps, String name) {
        if (maxSteps + 1 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("at most " + (Integer.MAX_VALUE - 1) + " steps; got " + maxSteps);
        }
        TrainingOptions options = TrainingOptions.defaults(schedule, 1)
                .withBatchSize(batch)
                .withLimits(data.validation().size(), 200, (int) maxSteps + 1);
        this.thread = new Thread(() -> train(space, data, options), name);
        thread.setDaemon(true);
        thread.start();
    }

    private void train(SearchSpace space, TrainingData data, TrainingOptions options) {
        try (Trainer trainer = new Trainer(space, data, options)) {
            int[] left = {nextTurn()};
            if (left[0] == 0) {
                return;
            }
            trainer.train(new TrainingListener() {
                @Override
                public void onProgress(TrainingProgress progress) {
                    if (--left[0] == 0) {
                        long ended = System.nanoTime();
                        try {
                            while (!done.offer(ended, 100, TimeUnit.MILLISECONDS)) {
                                if (closed) {
                                    return;
                                }
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                        left[0] = nextTurn();
                    }
                }

                @Override
                public boolean stopRequested() {
                    return left[0] <= 0;
                }
            });
            if (left[0] > 0) {
                failure = new IllegalStateException("the trainer ran out of steps before its turn ended");
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        }
    }

    /** The next turn's steps; 0 (end) once closed or interrupted. */
    private int nextTurn() {
        try {
            Integer steps = null;
            while (steps == null && !closed) {
                steps = asked.poll(100, TimeUnit.MILLISECONDS);
            }
            return steps == null ? 0 : steps;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    @Override
    public double run(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("a turn takes at least one step; got " + steps);
        }
        try {
            long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(GIVE_UP_MINUTES);
            while (!asked.offer(steps, 100, TimeUnit.MILLISECONDS)) {
                stillRunning(giveUp);
            }
            // taken once the thread has the turn: a trainer still being built is not timed
            long started = System.nanoTime();
            Long ended = null;
            while (ended == null) {
                ended = done.poll(100, TimeUnit.MILLISECONDS);
                if (ended == null) {
                    stillRunning(giveUp);
                }
            }
            return (ended - started) / 1e9;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + thread.getName() + " ran", e);
        }
    }

    private void stillRunning(long giveUp) {
        if (closed) {
            throw new IllegalStateException(thread.getName() + " is closed");
        }
        if (!thread.isAlive()) {
            Throwable failed = failure;
            if (failed instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failed instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(thread.getName() + " has ended");
        }
        if (System.nanoTime() - giveUp > 0) {
            throw new IllegalStateException(thread.getName() + " took more than " + GIVE_UP_MINUTES + " minutes");
        }
    }

    /** Ends the run at its next step boundary and waits for its thread (and the trainer's memory) to go. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // a thread waiting for a turn sees closed within 100 ms; one in a turn stops at the next step
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
