package dev.tailor.training;

import ai.djl.ndarray.NDArray;
import dev.tailor.supernet.Scalars;

/** The two losses of weight-shared training, as functions of logits. */
final class Losses {

    private Losses() {}

    /** Cross-entropy against labels smoothed by {@code smoothing} (OFA: 0.1). */
    static NDArray labelSmoothedCrossEntropy(NDArray logits, NDArray labels, double smoothing) {
        int classes = (int) logits.getShape().get(1);
        NDArray logProbabilities = logits.logSoftmax(1);
        NDArray oneHot = labels.oneHot(classes);
        NDArray target = oneHot.mul(Scalars.of(oneHot, (float) (1 - smoothing)))
                .add(Scalars.of(oneHot, (float) (smoothing / classes)));
        return logProbabilities.mul(target).sum(new int[] {1}).neg().mean();
    }

    /**
     * Soft-target cross-entropy at temperature 1 against a teacher's logits (in-place KD uses the
     * largest subnet's, detached), {@code -sum softmax(teacher) * log_softmax(student)}.
     */
    static NDArray distillation(NDArray studentLogits, NDArray teacherLogits) {
        NDArray teacher = teacherLogits.stopGradient().softmax(1);
        return studentLogits.logSoftmax(1).mul(teacher).sum(new int[] {1}).neg().mean();
    }
}
