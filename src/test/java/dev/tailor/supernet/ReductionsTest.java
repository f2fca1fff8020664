package dev.tailor.supernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** The means of squeeze-excite, the head and batch-norm calibration, in both layouts a step uses. */
class ReductionsTest {

    private static final int N = 3;
    private static final int C = 4;
    private static final int H = 5;
    private static final int W = 6;

    @Test
    void spatialMeanIsEachImagesChannelMeanInEitherLayoutAndSpreadsItsGradientEvenly() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] values = values();
            NDArray nchw = manager.create(values, new Shape(N, C, H, W));
            for (NDArray x : new NDArray[] {nchw, Layouts.channelsLast(nchw)}) {
                x.setRequiresGradient(true);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray mean = Reductions.spatialMean(x);
                    assertThat(mean.getShape()).isEqualTo(new Shape(N, C, 1, 1));
                    float[] got = mean.toFloatArray();
                    for (int n = 0; n < N; n++) {
                        for (int c = 0; c < C; c++) {
                            double sum = 0;
                            for (int i = 0; i < H * W; i++) {
                                sum += values[(n * C + c) * H * W + i];
                            }
                            assertThat((double) got[n * C + c]).isCloseTo(sum / (H * W), offset(1e-5));
                        }
                    }
                    // weights make each output's gradient differ, so a mean taken over the wrong axes shows
                    NDArray weights = manager.arange(1f, 1f + N * C).reshape(N, C, 1, 1);
                    collector.backward(mean.mul(weights).sum());
                }
                float[] gradient = x.getGradient().toFloatArray();
                for (int n = 0; n < N; n++) {
                    for (int c = 0; c < C; c++) {
                        for (int i = 0; i < H * W; i++) {
                            assertThat(gradient[(n * C + c) * H * W + i])
                                    .isCloseTo((1f + n * C + c) / (H * W), offset(1e-6f));
                        }
                    }
                }
            }
        }
    }

    @Test
    void channelMeanAveragesEachChannelOverBatchAndSpace() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] values = values();
            float[] got = Reductions.channelMean(manager.create(values, new Shape(N, C, H, W)))
                    .toFloatArray();
            assertThat(got).hasSize(C);
            for (int c = 0; c < C; c++) {
                double sum = 0;
                for (int n = 0; n < N; n++) {
                    for (int i = 0; i < H * W; i++) {
                        sum += values[(n * C + c) * H * W + i];
                    }
                }
                assertThat((double) got[c]).isCloseTo(sum / (N * H * W), offset(1e-5));
            }
        }
    }

    /** Values that differ by position, so a sum over the wrong axes gives other numbers. */
    private static float[] values() {
        float[] values = new float[N * C * H * W];
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() + i % 7;
        }
        return values;
    }
}
