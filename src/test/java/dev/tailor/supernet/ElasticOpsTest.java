package dev.tailor.supernet;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Slicing and the kernel transformation against tensors worked out by hand. */
class ElasticOpsTest {

    private static float[] range(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        return values;
    }

    @Test
    void smallerKernelsAreTheCentreThroughTheTransformMatrices() {
        try (NDManager manager = NDManager.newBaseManager()) {
            DynamicDepthwiseConv conv = new DynamicDepthwiseConv(1, List.of(3, 5, 7), 1);
            conv.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 7, 7));
            NDArray weight = manager.create(range(49)).reshape(1, 1, 7, 7);
            NDArray identity25 = manager.eye(25);
            NDArray identity9 = manager.eye(9);

            // identity matrices: plain centre crops of the 7x7 (values 7*r + c)
            assertThat(conv.activeFilter(weight, List.of(identity25, identity9), 1, 5, manager)
                            .toFloatArray())
                    .containsExactly(
                            8, 9, 10, 11, 12, 15, 16, 17, 18, 19, 22, 23, 24, 25, 26, 29, 30, 31, 32, 33, 36, 37, 38,
                            39, 40);
            assertThat(conv.activeFilter(weight, List.of(identity25, identity9), 1, 3, manager)
                            .toFloatArray())
                    .containsExactly(16, 17, 18, 23, 24, 25, 30, 31, 32);

            // 7->5 doubles, 5->3 reverses the window: x M^T with M the anti-diagonal
            NDArray reverse9 = manager.eye(9).flip(1);
            float[] three = conv.activeFilter(weight, List.of(identity25.mul(2), reverse9), 1, 3, manager)
                    .toFloatArray();
            assertThat(three).containsExactly(64, 62, 60, 50, 48, 46, 36, 34, 32);

            // 7 is the weight itself
            assertThat(conv.activeFilter(weight, List.of(identity25, identity9), 1, 7, manager)
                            .toFloatArray())
                    .containsExactly(range(49));
        }
    }

    @Test
    void transformMatricesStartAsIdentity() {
        try (NDManager manager = NDManager.newBaseManager()) {
            DynamicDepthwiseConv conv = new DynamicDepthwiseConv(4, List.of(3, 5, 7), 1);
            conv.initialize(manager, DataType.FLOAT32, new Shape(1, 4, 7, 7));
            assertThat(conv.transforms()).hasSize(2);
            assertThat(conv.transforms().get(0).getName()).isEqualTo("7to5_matrix");
            assertThat(conv.transforms().get(0).getArray().toFloatArray())
                    .containsExactly(manager.eye(25).toFloatArray());
        }
    }

    @Test
    void pointwiseConvUsesTheLeadingSliceOfItsWeight() {
        try (NDManager manager = NDManager.newBaseManager()) {
            DynamicConv conv = DynamicConv.builder().setChannels(3, 4).build();
            conv.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 1, 1));
            // weight[o][i] = 10 o + i
            NDArray weight = conv.weight().getArray();
            weight.set(
                    new ai.djl.ndarray.index.NDIndex(":"),
                    manager.create(new float[] {0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32})
                            .reshape(4, 3, 1, 1));
            conv.setActiveOut(2);
            // two input channels only: x = (1, 2)
            NDArray x = manager.create(new float[] {1, 2}).reshape(1, 2, 1, 1);
            NDArray y = conv.forward(new ParameterStore(manager, false), new NDList(x), false)
                    .singletonOrThrow();
            assertThat(y.getShape()).isEqualTo(new Shape(1, 2, 1, 1));
            // out0 = 0*1 + 1*2, out1 = 10*1 + 11*2
            assertThat(y.toFloatArray()).containsExactly(2f, 32f);
        }
    }

    @Test
    void batchNormNormalisesAndUpdatesOnlyTheLeadingChannelsOfItsStatistics() {
        try (NDManager manager = NDManager.newBaseManager()) {
            DynamicBatchNorm norm = new DynamicBatchNorm(4);
            norm.initialize(manager, DataType.FLOAT32, new Shape(1, 4, 1, 1));
            // 2 channels, values per channel {1, 3} and {10, 30} over a batch of two 1x1 images
            NDArray x = manager.create(new float[] {1, 10, 3, 30}).reshape(2, 2, 1, 1);
            NDArray y = norm.forward(new ParameterStore(manager, false), new NDList(x), true)
                    .singletonOrThrow();
            float[] out = y.toFloatArray();
            assertThat(out[0]).isCloseTo(-1f, org.assertj.core.data.Offset.offset(1e-3f));
            assertThat(out[2]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-3f));
            // PyTorch momentum 0.1: running mean 0.9 * 0 + 0.1 * batch mean
            assertThat(norm.runningMean().getArray().toFloatArray())
                    .containsExactly(new float[] {0.2f, 2.0f, 0f, 0f}, org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(IntStream.of(2, 3)
                            .mapToDouble(i -> norm.runningVar().getArray().toFloatArray()[i]))
                    .containsOnly(1.0);
        }
    }
}
