package dev.tailor.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tailor.cost.SubnetCosts;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import dev.tailor.supernet.StaticSubnet;
import dev.tailor.supernet.Supernet;
import dev.tailor.supernet.SupernetTest;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Exported subnets against ONNX Runtime: same logits as DJL, same bytes every time, costs recounted. */
class OnnxExportTest {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);
    private static final OrtEnvironment ORT = OrtEnvironment.getEnvironment();

    private static NDManager manager;
    private static Supernet supernet;

    @BeforeAll
    static void buildSupernet() {
        Engine.getInstance().setRandomSeed(5);
        manager = NDManager.newBaseManager();
        supernet = Supernet.create(SPACE, 10, manager);
        SupernetTest.perturb(supernet, manager);
    }

    @AfterAll
    static void release() {
        manager.close();
    }

    static List<SubnetConfig> probeConfigs() {
        List<SubnetConfig> configs = new ArrayList<>(List.of(SPACE.largest(), SPACE.smallest()));
        Random random = new Random(20);
        for (int i = 0; i < 20; i++) {
            configs.add(SPACE.sample(random));
        }
        return configs;
    }

    private static ExportMetadata metadata(SubnetConfig config) {
        return new ExportMetadata(
                "00000000-0000-0000-0000-000000000001",
                config.canonicalJson(),
                config.sha256(),
                "generated",
                new float[] {0.286f},
                new float[] {0.353f},
                List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
                0.9,
                null,
                SubnetCosts.of(SubnetPlan.of(SPACE, config, 10)).macs());
    }

    private static byte[] export(SubnetConfig config) {
        try (StaticSubnet subnet = StaticSubnet.extract(supernet, config, manager)) {
            return OnnxExport.builder()
                    .setSubnet(subnet)
                    .setMetadata(metadata(config))
                    .build()
                    .toBytes();
        }
    }

    @Test
    void onnxRuntimeGivesTheSameLogitsAsDjlForTwentyTwoSubnets() throws OrtException {
        for (SubnetConfig config : probeConfigs()) {
            byte[] model = export(config);
            int r = config.resolution();
            NDArray images = manager.randomNormal(new Shape(3, 1, r, r));
            supernet.setActiveSubnet(config);
            float[] expected =
                    supernet.logits(new ParameterStore(), images, false, false).toFloatArray();
            float[] actual = run(model, images.toFloatArray(), new long[] {3, 1, r, r});
            assertThat(actual).hasSize(expected.length);
            float maxDiff = 0;
            for (int i = 0; i < expected.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
            }
            assertThat(maxDiff).as(config.canonicalJson()).isLessThanOrEqualTo(1e-4f);
        }
    }

    static float[] run(byte[] model, float[] input, long[] shape) throws OrtException {
        try (OrtSession session = ORT.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor tensor = OnnxTensor.createTensor(ORT, FloatBuffer.wrap(input), shape);
                OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, tensor))) {
            float[][] logits =
                    (float[][]) result.get(OnnxExport.OUTPUT).orElseThrow().getValue();
            float[] flat = new float[logits.length * logits[0].length];
            for (int i = 0; i < logits.length; i++) {
                System.arraycopy(logits[i], 0, flat, i * logits[0].length, logits[0].length);
            }
            return flat;
        }
    }

    @Test
    void theSameSubnetAndMetadataGiveTheSameBytes() {
        SubnetConfig config = SPACE.sample(new Random(7));
        assertThat(export(config)).isEqualTo(export(config));
        assertThat(export(config)).isNotEqualTo(export(SPACE.smallest()));
    }

    @Test
    void theModelDescribesItselfAndTakesAnyBatchSize() throws Exception {
        SubnetConfig config = SPACE.smallest();
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(export(config));
        assertThat(model.getOpsetImport(0).getVersion()).isGreaterThanOrEqualTo(17);
        Map<String, String> props = model.getMetadataPropsList().stream()
                .collect(Collectors.toMap(
                        OnnxMl.StringStringEntryProto::getKey, OnnxMl.StringStringEntryProto::getValue));
        assertThat(props)
                .containsEntry("tailor.config", config.canonicalJson())
                .containsEntry("tailor.config_sha256", config.sha256())
                .containsEntry("tailor.dataset", "generated")
                .containsEntry("tailor.validation_top1", "0.900000")
                .containsEntry("tailor.test_top1", "not measured")
                .containsKeys("tailor.supernet_id", "tailor.normalization", "tailor.class_names", "tailor.macs");
        OnnxMl.TensorShapeProto input =
                model.getGraph().getInput(0).getType().getTensorType().getShape();
        assertThat(input.getDim(0).getDimParam()).isEqualTo("batch");
        assertThat(input.getDim(2).getDimValue()).isEqualTo(config.resolution());
        assertThat(model.getGraph().getOutput(0).getName()).isEqualTo("logits");
        assertThat(model.getGraph().getNodeList())
                .extracting(OnnxMl.NodeProto::getOpType)
                .doesNotContain("BatchNormalization");
        int r = config.resolution();
        assertThat(run(export(config), new float[5 * r * r], new long[] {5, 1, r, r}))
                .hasSize(50);
    }

    @Test
    void macsParametersAndPeakActivationCountedFromTheOnnxGraphEqualTheCostModel() throws Exception {
        for (SubnetConfig config : probeConfigs().subList(0, 8)) {
            OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(export(config));
            SubnetCosts expected = SubnetCosts.of(SubnetPlan.of(SPACE, config, 10));
            GraphCosts counted = GraphCosts.of(model.getGraph());
            assertThat(counted.macs()).as("MACs of " + config.canonicalJson()).isEqualTo(expected.macs());
            assertThat(counted.params())
                    .as("params of " + config.canonicalJson())
                    .isEqualTo(expected.params());
            assertThat(counted.peakActivationBytes())
                    .as("peak activation of " + config.canonicalJson())
                    .isEqualTo(expected.peakActivationBytes());
        }
    }
}
