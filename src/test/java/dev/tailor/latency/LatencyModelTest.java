package dev.tailor.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyModelTest {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);

    @Test
    void aSubnetIsItsStemBlocksAndHeadKeyedByShapeAndChoices() {
        List<SubnetLayers.Layer> layers = SubnetLayers.of(SubnetPlan.of(SPACE, SPACE.smallest(), 10));
        assertThat(layers).hasSize(1 + 1 + 6 + 1);
        assertThat(layers.get(0).key()).isEqualTo("conv-input:20x20x1-output:10x10x16-kernel:3-stride:2-act:hswish");
        assertThat(layers.get(1).key()).startsWith("mbconv-input:10x10x16-output:10x10x16-expand:1-kernel:3");
        assertThat(layers.get(2).key()).contains("expand:3-kernel:3-stride:2-se:0-act:relu-idskip:0");
        assertThat(layers.get(8).key()).startsWith("head-input:");
        List<SubnetLayers.Layer> wider = SubnetLayers.of(SubnetPlan.of(SPACE, SPACE.largest(), 10));
        assertThat(wider.get(2).key()).isNotEqualTo(layers.get(2).key()).contains("kernel:7");
    }

    @Test
    void everyLayerModelRunsInOnnxRuntimeWithTheShapesItsKeyNames() throws Exception {
        OrtEnvironment ort = OrtEnvironment.getEnvironment();
        for (SubnetLayers.Layer layer : SubnetLayers.of(SubnetPlan.of(SPACE, SPACE.largest(), 10))) {
            try (OrtSession session = ort.createSession(layer.model().get(), new OrtSession.SessionOptions())) {
                long[] shape = ((TensorInfo) session.getInputInfo().get("image").getInfo()).getShape();
                shape[0] = 2;
                int size = 1;
                for (long d : shape) {
                    size *= (int) d;
                }
                try (OnnxTensor input = OnnxTensor.createTensor(ort, FloatBuffer.wrap(new float[size]), shape);
                        OrtSession.Result result = session.run(Map.of("image", input))) {
                    long[] out = ((TensorInfo) result.get(0).getInfo()).getShape();
                    assertThat(out[0]).isEqualTo(2);
                    String key = layer.key();
                    if (key.startsWith("head")) {
                        assertThat(out).containsExactly(2, 10);
                    } else {
                        String output =
                                key.substring(key.indexOf("output:") + 7).split("-")[0];
                        String[] dims = output.split("x");
                        assertThat(out)
                                .as(key)
                                .containsExactly(
                                        2, Long.parseLong(dims[2]), Long.parseLong(dims[0]), Long.parseLong(dims[1]));
                    }
                }
            }
        }
    }

    @Test
    void theCorrectionIsTheLeastSquaresFitOnTableSumsAndLayerCounts() {
        Map<String, Double> table = new HashMap<>();
        Random random = new Random(4);
        List<LatencyModel.Measured> measured = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            SubnetPlan plan = SubnetPlan.of(SPACE, SPACE.sample(random), 10);
            for (SubnetLayers.Layer layer : SubnetLayers.of(plan)) {
                table.computeIfAbsent(layer.key(), k -> 0.05 + (Math.abs(k.hashCode()) % 100) / 1000.0);
            }
            measured.add(new LatencyModel.Measured(plan, 0));
        }
        LatencyModel raw = LatencyModel.fit(table, List.of());
        List<LatencyModel.Measured> exact = measured.stream()
                .map(m -> new LatencyModel.Measured(
                        m.plan(),
                        0.8 * raw.tableSum(m.plan())
                                - 0.01 * SubnetLayers.of(m.plan()).size()
                                + 0.1))
                .toList();
        LatencyModel model = LatencyModel.fit(table, exact);
        assertThat(model.slope()).isCloseTo(0.8, offset(1e-6));
        assertThat(model.perLayer()).isCloseTo(-0.01, offset(1e-6));
        assertThat(model.intercept()).isCloseTo(0.1, offset(1e-6));
        SubnetPlan other = SubnetPlan.of(SPACE, SPACE.largest(), 10);
        for (SubnetLayers.Layer layer : SubnetLayers.of(other)) {
            table.computeIfAbsent(layer.key(), k -> 0.2);
        }
        double otherSum = LatencyModel.fit(table, List.of()).tableSum(other);
        assertThat(LatencyModel.fit(table, exact).predict(other))
                .isCloseTo(0.8 * otherSum - 0.01 * SubnetLayers.of(other).size() + 0.1, offset(1e-6));
        SubnetConfig unknown = SPACE.largest();
        assertThatThrownBy(() -> LatencyModel.fit(Map.of(), List.of()).predict(SubnetPlan.of(SPACE, unknown, 10)))
                .hasMessageContaining("no entry for conv-input:28x28x1");
    }

    @Test
    void accuracyFiguresMatchAHandCount() {
        PredictionAccuracy accuracy =
                PredictionAccuracy.of(new double[] {1.05, 2.5, 2.9, 4.0}, new double[] {1.0, 2.0, 3.0, 4.0});
        assertThat(accuracy.mape()).isCloseTo((0.05 + 0.25 + 0.1 / 3 + 0) / 4, offset(1e-12));
        assertThat(accuracy.rmseMs()).isCloseTo(Math.sqrt((0.0025 + 0.25 + 0.01) / 4), offset(1e-12));
        assertThat(accuracy.within10()).isEqualTo(0.75);
        assertThat(accuracy.kendallTau()).isEqualTo(1.0);
        assertThat(PredictionAccuracy.kendallTau(new double[] {1, 2, 3}, new double[] {3, 2, 1}))
                .isEqualTo(-1.0);
        assertThat(PredictionAccuracy.kendallTau(new double[] {1, 2, 3, 4}, new double[] {1, 3, 2, 4}))
                .isCloseTo(4.0 / 6, offset(1e-12));
    }
}
