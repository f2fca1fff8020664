package dev.tailor.training;

import java.util.EnumMap;
import java.util.Map;

/**
 * Wall time a trainer's steps spend in each part, summed since the last {@link #reset()}. On the
 * CPU libtorch runs every operation eagerly on the calling thread, so a part's wall time is its
 * compute; this is what {@code bench training} breaks a step down by.
 */
public final class StepClock {

    public enum Part {
        DATA("data: batch, augmentation, resize"),
        TEACHER("frozen teacher forward"),
        FORWARD("forward and loss (weight slicing, kernel transforms included)"),
        BACKWARD("backward"),
        RELEASE("freeing the step's arrays"),
        OPTIMIZER("optimizer (Nesterov SGD)");

        private final String label;

        Part(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final long[] nanos = new long[Part.values().length];
    private long last;
    private long steps;

    void start() {
        last = System.nanoTime();
    }

    void lap(Part part) {
        long now = System.nanoTime();
        nanos[part.ordinal()] += now - last;
        last = now;
    }

    void stepDone() {
        steps++;
    }

    public void reset() {
        java.util.Arrays.fill(nanos, 0);
        steps = 0;
    }

    public long steps() {
        return steps;
    }

    /** Milliseconds per step in each part, averaged over the steps since the last reset. */
    public Map<Part, Double> millisPerStep() {
        Map<Part, Double> perStep = new EnumMap<>(Part.class);
        for (Part part : Part.values()) {
            perStep.put(part, steps == 0 ? 0.0 : nanos[part.ordinal()] / 1e6 / steps);
        }
        return perStep;
    }
}
