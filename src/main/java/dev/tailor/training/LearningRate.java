package dev.tailor.training;

/**
 * Per-step learning rate: linear warm-up from 0 to the peak, then cosine decay to {@code min}
 * over the rest (OFA adjusts it every iteration, not every epoch).
 */
record LearningRate(double peak, double min, long warmupSteps, long totalSteps) {

    LearningRate {
        if (totalSteps < 1 || warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("steps: warm-up " + warmupSteps + " of " + totalSteps);
        }
    }

    double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        long decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        return min + 0.5 * (peak - min) * (1 + Math.cos(Math.PI * progress));
    }
}
