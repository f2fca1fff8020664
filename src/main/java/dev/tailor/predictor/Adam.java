package dev.tailor.predictor;

import java.util.List;

/**
 * torch.optim.Adam (amsgrad off, not maximising) as its single-tensor path computes it, in float32:
 * weight decay is L2 added to the gradient (not AdamW's decoupled decay), the first moment is a
 * lerp towards the gradient, and the bias corrections are folded into the step size and the
 * denominator the way PyTorch does. The formula is PyTorch's step for step; the last bit of a
 * float may still differ from a given PyTorch build (its kernels may, for instance, multiply by a
 * reciprocal where this divides), which nothing here was compared against.
 */
final class Adam {

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final List<float[]> params;
    private final float[][] firstMoments;
    private final float[][] secondMoments;
    private final float learningRate;
    private final float weightDecay;
    private int step;

    Adam(List<float[]> params, double learningRate, double weightDecay) {
        this.params = params;
        this.learningRate = (float) learningRate;
        this.weightDecay = (float) weightDecay;
        firstMoments = new float[params.size()][];
        secondMoments = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            firstMoments[i] = new float[params.get(i).length];
            secondMoments[i] = new float[params.get(i).length];
        }
    }

    /** One update from {@code grads}, which must line up with the parameters array for array. */
    void step(List<float[]> grads) {
        step++;
        double biasCorrection1 = 1 - Math.pow(BETA1, step);
        double biasCorrection2 = 1 - Math.pow(BETA2, step);
        float stepSize = (float) (learningRate / biasCorrection1);
        float biasCorrection2Sqrt = (float) Math.sqrt(biasCorrection2);
        float oneMinusBeta1 = (float) (1 - BETA1);
        float beta2 = (float) BETA2;
        float oneMinusBeta2 = (float) (1 - BETA2);
        float eps = (float) EPS;
        for (int i = 0; i < params.size(); i++) {
            float[] param = params.get(i);
            float[] grad = grads.get(i);
            float[] m = firstMoments[i];
            float[] v = secondMoments[i];
            for (int j = 0; j < param.length; j++) {
                float g = grad[j] + weightDecay * param[j];
                m[j] += oneMinusBeta1 * (g - m[j]);
                v[j] = v[j] * beta2 + oneMinusBeta2 * g * g;
                float denominator = (float) Math.sqrt(v[j]) / biasCorrection2Sqrt + eps;
                param[j] -= stepSize * (m[j] / denominator);
            }
        }
    }
}
