package dev.tailor.onnx;

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
import dev.tailor.data.DatasetFormat;
import dev.tailor.data.Datasets;
import dev.tailor.data.ImageDataset;
import dev.tailor.data.InstalledDataset;
import dev.tailor.data.Normalization;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import dev.tailor.supernet.StaticSubnet;
import dev.tailor.supernet.Supernet;
import dev.tailor.supernet.SupernetTest;
import dev.tailor.training.ImageResize;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
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
    /** The dataset's side: Fashion-MNIST's 28, the space's largest resolution. */
    private static final int SIDE = 28;

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

    /** The export that takes images at the dataset's side, {@value #SIDE}. */
    private static byte[] exportTaking28(SubnetConfig config) {
        return exportTaking(SIDE, config);
    }

    private static byte[] exportTaking(int side, SubnetConfig config) {
        try (StaticSubnet subnet = StaticSubnet.extract(supernet, config, manager)) {
            return OnnxExport.builder()
                    .setSubnet(subnet)
                    .setMetadata(metadata(config))
                    .setInputSize(side)
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
                .containsEntry("tailor.resolution", "20")
                .containsEntry("tailor.input_size", "20")
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

    /** The config with another resolution: the same blocks, so the same weights. */
    private static SubnetConfig at(int resolution, SubnetConfig config) {
        return new SubnetConfig(resolution, config.depths(), config.kernels(), config.expands());
    }

    /** Normalised 28 x 28 inputs: random ones and real Fashion-MNIST images. */
    private static List<float[]> inputsAt28(int count) {
        List<float[]> inputs = new ArrayList<>();
        inputs.add(manager.randomNormal(new Shape(count, 1, SIDE, SIDE)).toFloatArray());
        ImageDataset test =
                Datasets.load(InstalledDataset.require(), DatasetFormat.IDX).test();
        Normalization normalization = new Normalization(new float[] {0.286f}, new float[] {0.353f});
        float[] real = new float[count * SIDE * SIDE];
        for (int i = 0; i < count; i++) {
            test.copyNormalized(i, normalization, real, i * SIDE * SIDE);
        }
        inputs.add(real);
        return inputs;
    }

    /** Each of {@code count} one-channel side x side images resized as training resizes them. */
    private static float[] resizedAsInTraining(float[] images, int count, int side, int resolution) {
        float[] resized = new float[count * resolution * resolution];
        for (int i = 0; i < count; i++) {
            float[] one = Arrays.copyOfRange(images, i * side * side, (i + 1) * side * side);
            ImageResize.bilinear(one, 1, side, side, resized, i * resolution * resolution, resolution);
        }
        return resized;
    }

    private static float maxDifference(float[] expected, float[] actual) {
        assertThat(actual).hasSameSizeAs(expected);
        float max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        return max;
    }

    @Test
    void aSmallerSubnetTakes28By28ImagesAndGivesDjlsLogitsOnTheTrainingResize() throws OrtException {
        int count = 16;
        List<float[]> inputs = inputsAt28(count);
        for (SubnetConfig config :
                List.of(SPACE.smallest(), at(24, SPACE.sample(new Random(3))), at(20, SPACE.largest()))) {
            byte[] model = exportTaking28(config);
            int r = config.resolution();
            try (StaticSubnet subnet = StaticSubnet.extract(supernet, config, manager)) {
                for (float[] images : inputs) {
                    float[] expected = subnet.logits(manager.create(
                                    resizedAsInTraining(images, count, SIDE, r), new Shape(count, 1, r, r)))
                            .toFloatArray();
                    float[] actual = run(model, images, new long[] {count, 1, SIDE, SIDE});
                    assertThat(maxDifference(expected, actual))
                            .as(config.canonicalJson())
                            .isLessThanOrEqualTo(1e-4f);
                }
            }
        }
    }

    @Test
    void onnxRuntimesResizeIsTheTrainingResize() throws Exception {
        int count = 8;
        for (int r : List.of(20, 24)) {
            for (float[] images : inputsAt28(count)) {
                assertResizeMatchesTraining(SIDE, r, images, count);
            }
        }
        // upward too (a dataset smaller than the subnet), where source coordinates below 0 clamp
        assertResizeMatchesTraining(
                14, 20, manager.randomNormal(new Shape(count, 1, 14, 14)).toFloatArray(), count);
    }

    /** ONNX Runtime's Resize node on its own, its output made a graph output, against ImageResize. */
    private static void assertResizeMatchesTraining(int side, int r, float[] images, int count) throws Exception {
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(exportTaking(side, at(r, SPACE.smallest())));
        OnnxMl.NodeProto resize = model.getGraph().getNodeList().stream()
                .filter(node -> node.getOpType().equals("Resize"))
                .findFirst()
                .orElseThrow();
        // roi and the float scales left out; the sizes computed from the input's shape
        assertThat(resize.getInputList()).containsExactly(OnnxExport.INPUT, "", "", resize.getInput(3));
        assertThat(resize.getAttributeList())
                .extracting(a -> a.getName() + "=" + a.getS().toStringUtf8())
                .containsExactly("mode=linear", "coordinate_transformation_mode=half_pixel");
        byte[] exposed = model.toBuilder()
                .setGraph(model.getGraph().toBuilder()
                        .addOutput(OnnxMl.ValueInfoProto.newBuilder()
                                .setName(resize.getOutput(0))
                                .setType(OnnxMl.TypeProto.newBuilder()
                                        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                                                .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())))))
                .build()
                .toByteArray();
        try (OrtSession session = ORT.createSession(exposed, new OrtSession.SessionOptions());
                OnnxTensor tensor =
                        OnnxTensor.createTensor(ORT, FloatBuffer.wrap(images), new long[] {count, 1, side, side});
                OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, tensor))) {
            OnnxTensor resized = (OnnxTensor) result.get(resize.getOutput(0)).orElseThrow();
            assertThat(resized.getInfo().getShape()).containsExactly(count, 1, r, r);
            float[] actual = new float[count * r * r];
            resized.getFloatBuffer().get(actual);
            assertThat(maxDifference(resizedAsInTraining(images, count, side, r), actual))
                    .as(side + " -> " + r)
                    .isLessThanOrEqualTo(1e-5f);
        }
    }

    @Test
    void aFullResolutionSubnetHasNoResize() throws Exception {
        SubnetConfig config = SPACE.largest();
        byte[] bytes = export(config);
        assertThat(exportTaking28(config))
                .as("input size 28 is the default at resolution 28")
                .isEqualTo(bytes);
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(bytes);
        assertThat(model.getGraph().getNodeList())
                .extracting(OnnxMl.NodeProto::getOpType)
                .doesNotContain("Resize", "Shape", "Concat")
                .first()
                .isEqualTo("Conv");
        assertThat(model.getGraph().getNode(0).getInput(0)).isEqualTo(OnnxExport.INPUT);
        assertThat(model.getGraph().getInitializerList())
                .extracting(OnnxMl.TensorProto::getName)
                .noneMatch(name -> name.startsWith("resize") || name.startsWith("left_out"));
        assertThat(model.getDocString()).doesNotContain("resized");
    }

    @Test
    void aResizingModelDescribesItselfAndTakesAnyBatchSize() throws Exception {
        SubnetConfig config = at(20, SPACE.sample(new Random(11)));
        byte[] bytes = exportTaking28(config);
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(bytes);
        OnnxMl.TensorShapeProto input =
                model.getGraph().getInput(0).getType().getTensorType().getShape();
        assertThat(input.getDim(0).getDimParam()).isEqualTo("batch");
        assertThat(input.getDimList().subList(1, 4))
                .extracting(OnnxMl.TensorShapeProto.Dimension::getDimValue)
                .containsExactly(1L, 28L, 28L);
        assertThat(model.getMetadataPropsList())
                .extracting(p -> p.getKey() + "=" + p.getValue())
                .contains("tailor.resolution=20", "tailor.input_size=28");
        assertThat(model.getDocString()).contains("1 x 28 x 28").contains("resized inside to the subnet's 20 x 20");

        float[] seven = manager.randomNormal(new Shape(7, 1, SIDE, SIDE)).toFloatArray();
        float[] together = run(bytes, seven, new long[] {7, 1, SIDE, SIDE});
        assertThat(together).hasSize(70);
        for (int i = 0; i < 7; i++) {
            float[] alone = run(bytes, Arrays.copyOfRange(seven, i * SIDE * SIDE, (i + 1) * SIDE * SIDE), new long[] {
                1, 1, SIDE, SIDE
            });
            assertThat(maxDifference(Arrays.copyOfRange(together, i * 10, (i + 1) * 10), alone))
                    .as("image " + i + " alone and in a batch of 7")
                    .isLessThanOrEqualTo(1e-5f);
        }
    }

    @Test
    void aResizingExportIsTheSameBytesEveryTime() {
        SubnetConfig config = at(24, SPACE.sample(new Random(7)));
        assertThat(exportTaking28(config)).isEqualTo(exportTaking28(config));
        assertThat(exportTaking28(config)).isNotEqualTo(export(config));
    }
}
