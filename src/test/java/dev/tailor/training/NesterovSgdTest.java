package dev.tailor.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.PairList;
import org.junit.jupiter.api.Test;

class NesterovSgdTest {

    private static Parameter weight(String name, NDManager manager, float... values) {
        Parameter parameter = Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optRequiresGrad(true)
                .build();
        parameter.setArray(manager.create(values, new Shape(values.length)));
        parameter.getArray().setRequiresGradient(true);
        return parameter;
    }

    /**
     * deps trains the full model alone for half its epochs: the kernel transforms no full-model step
     * uses kept their identity in PyTorch (an unset gradient is skipped) but decayed towards zero here.
     */
    @Test
    void aParameterNoStepUsedKeepsItsValueWhileAUsedOneIsUpdatedAsPyTorchWould() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter used = weight("used", manager, 1f, 2f);
            Parameter unused = weight("unused", manager, 1f, 0f, 0f, 1f);
            PairList<String, Parameter> trainable = new PairList<>();
            trainable.add("used", used);
            trainable.add("unused", unused);
            NesterovSgd sgd = new NesterovSgd(trainable, 0.9, 0.1, manager);
            float[] expected = {1f, 2f};
            float[] velocity = {0f, 0f};
            for (int step = 0; step < 100; step++) {
                try (GradientCollector collector =
                        ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    NDArray loss = used.getArray().square().sum();
                    collector.backward(loss);
                }
                sgd.step(0.01);
                for (int i = 0; i < 2; i++) {
                    // PyTorch: g = grad + wd w; v = mu v + g; w -= lr (g + mu v)
                    float g = 2 * expected[i] + 0.1f * expected[i];
                    velocity[i] = 0.9f * velocity[i] + g;
                    expected[i] -= 0.01f * (g + 0.9f * velocity[i]);
                }
            }
            assertThat(unused.getArray().toFloatArray()).containsExactly(1f, 0f, 0f, 1f);
            float[] got = used.getArray().toFloatArray();
            assertThat(got[0]).isCloseTo(expected[0], org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(got[1]).isCloseTo(expected[1], org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(got[1]).isLessThan(1f);
        }
    }
}
