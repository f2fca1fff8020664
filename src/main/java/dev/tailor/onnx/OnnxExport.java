package dev.tailor.onnx;

import ai.djl.ndarray.NDArray;
import ai.onnx.proto.OnnxMl;
import dev.tailor.space.Activation;
import dev.tailor.space.SubnetPlan;
import dev.tailor.supernet.StaticSubnet;
import dev.tailor.training.ImageResize;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes one subnet as a self-contained ONNX model: input {@code image} (N x C x S x S float at the
 * dataset's own size S, normalised as the metadata says, any batch size), output {@code logits} (N
 * x classes). A subnet whose resolution R differs from S starts with a Resize to R x R, the
 * bilinear resize training applies, so a consumer never needs to know R. Every batch norm is
 * folded into its convolution, so the graph holds only that resize (Shape, Concat, Resize), Conv,
 * activations, GlobalAveragePool, Mul, Add, Flatten and Gemm. Nothing in the file depends on time
 * or on the machine: the same subnet, input size and metadata give the same bytes.
 */
public final class OnnxExport {

    public static final String INPUT = "image";
    public static final String OUTPUT = "logits";
    public static final String MEDIA_TYPE = "application/vnd.onnx";
    /** The metadata key of the resolution the subnet runs at, which its input may exceed. */
    public static final String RESOLUTION_KEY = "tailor.resolution";
    /** The metadata key of the input's side: the dataset's, as a consumer feeds the images. */
    private static final String INPUT_SIZE_KEY = "tailor.input_size";

    /** ONNX IR version 8 is the one that goes with opset 17. */
    private static final long IR_VERSION = 8;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final StaticSubnet subnet;
    private final ExportMetadata metadata;
    private final int inputSize;

    private OnnxExport(Builder builder) {
        this.subnet = builder.subnet;
        this.metadata = builder.metadata;
        this.inputSize = builder.inputSize == null ? subnet.plan().resolution() : builder.inputSize;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds an export; the subnet and its metadata are required, the input size is optional. */
    public static final class Builder {
        private StaticSubnet subnet;
        private ExportMetadata metadata;
        private Integer inputSize;

        private Builder() {}

        public Builder setSubnet(StaticSubnet subnet) {
            this.subnet = subnet;
            return this;
        }

        public Builder setMetadata(ExportMetadata metadata) {
            this.metadata = metadata;
            return this;
        }

        /**
         * The side of the square images the model takes: the dataset's, so that a consumer feeds
         * images as they come. By default the subnet's resolution, so no resize.
         */
        public Builder setInputSize(int side) {
            if (side < 1) {
                throw new IllegalArgumentException("the input size must be positive; got " + side);
            }
            this.inputSize = side;
            return this;
        }

        public OnnxExport build() {
            if (subnet == null || metadata == null) {
                throw new IllegalStateException("an export needs setSubnet and setMetadata");
            }
            return new OnnxExport(this);
        }
    }

    /** The serialised model. */
    public byte[] toBytes() {
        return model().toByteArray();
    }

    OnnxMl.ModelProto model() {
        SubnetPlan plan = subnet.plan();
        ONNXContext context = new ONNXContext();
        context.setName("tailor-subnet");
        int resolution = plan.resolution();
        ONNXPlaceholder input = context.floatInput(INPUT, plan.inputChannels());
        ONNXRef<?> image = input;
        ONNXInitializer leftOut = null;
        if (inputSize != resolution) {
            // Tribuo wires every input to a named value; Resize's roi and scales, which ONNX leaves
            // out by the empty name, are wired to this stand-in until the graph is built
            leftOut = context.array("left_out", new float[0]);
            image = resize(context, input, resolution, leftOut);
        }
        ONNXRef<?> x = convNorm(context, image, subnet.stem(), "stem");
        x = block(context, x, subnet.firstBlock(), "block0");
        for (int i = 0; i < subnet.blocks().size(); i++) {
            x = block(context, x, subnet.blocks().get(i), "block" + (i + 1));
        }
        ONNXNode logits = head(
                context,
                x,
                subnet.finalExpand(),
                subnet.featureMixWeight(),
                subnet.classifierWeight(),
                subnet.classifierBias());

        long[] inputDims = {plan.inputChannels(), inputSize, inputSize};
        OnnxMl.GraphProto graph = graph(context, inputDims, logits, new long[] {plan.numClasses()});
        if (leftOut != null) {
            graph = leaveOut(graph, leftOut.getReference());
        }
        OnnxMl.ModelProto.Builder model = modelBuilder(
                graph,
                "Subnet " + metadata.configJson() + " of supernet " + metadata.supernetId() + ". Input 'image': N x "
                        + plan.inputChannels() + " x " + inputSize + " x " + inputSize
                        + " float, pixels in [0, 1] normalised per channel as tailor.normalization says"
                        + (leftOut == null
                                ? "."
                                : ", resized inside to the subnet's " + resolution + " x " + resolution
                                        + " (bilinear, half-pixel centres) as in training.")
                        + " Output 'logits': N x " + plan.numClasses() + ".");
        metadata()
                .forEach((key, value) -> model.addMetadataProps(
                        OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value)));
        return model.build();
    }

    /**
     * Finishes a graph: Tribuo's placeholders are 2-D [batch, features], so the input becomes
     * {@code image} with {@code inputDims} after a dynamic batch dimension; Tribuo makes every node
     * output name unique ("logits_0"), so the result's output is renamed {@code logits}.
     */
    static OnnxMl.GraphProto graph(ONNXContext context, long[] inputDims, ONNXRef<?> result, long[] outputDims) {
        OnnxMl.GraphProto.Builder graph = context.buildGraph().toBuilder();
        graph.setInput(0, valueInfo(INPUT, inputDims));
        String produced = result.getReference();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            if (graph.getNode(i).getOutput(0).equals(produced)) {
                graph.setNode(i, graph.getNode(i).toBuilder().setOutput(0, OUTPUT));
            }
            for (int j = 0; j < graph.getNode(i).getInputCount(); j++) {
                if (graph.getNode(i).getInput(j).equals(produced)) {
                    throw new IllegalStateException("the output " + produced + " is also read inside the graph");
                }
            }
        }
        return graph.addOutput(valueInfo(OUTPUT, outputDims)).build();
    }

    /**
     * Resizes N x C x S x S images to N x C x R x R as training does ({@link ImageResize#bilinear}:
     * half-pixel centres, source coordinates clamped to the image), which is ONNX's linear mode
     * with half_pixel coordinates. The target goes in as {@code sizes}, not float {@code scales},
     * whose S * (R / S) may round down to R - 1; before opset 18 Resize has no {@code axes}, so the
     * sizes are the input's own N and C followed by R, R.
     */
    private static ONNXNode resize(ONNXContext context, ONNXRef<?> images, int resolution, ONNXRef<?> leftOut) {
        ONNXNode batchAndChannels = images.apply(OnnxOp.SHAPE, Map.of("end", 2));
        ONNXInitializer side = context.array("resize_hw", new long[] {resolution, resolution});
        ONNXNode sizes = apply(batchAndChannels, OnnxOp.CONCAT, Map.of("axis", 0), side);
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("mode", "linear");
        attributes.put("coordinate_transformation_mode", "half_pixel");
        return apply(images, OnnxOp.RESIZE, attributes, leftOut, leftOut, sizes);
    }

    /** The graph with the stand-in {@code name} gone and every input wired to it left out (named ""). */
    private static OnnxMl.GraphProto leaveOut(OnnxMl.GraphProto graph, String name) {
        OnnxMl.GraphProto.Builder builder = graph.toBuilder();
        for (OnnxMl.NodeProto.Builder node : builder.getNodeBuilderList()) {
            for (int i = 0; i < node.getInputCount(); i++) {
                if (node.getInput(i).equals(name)) {
                    node.setInput(i, "");
                }
            }
        }
        for (int i = builder.getInitializerCount() - 1; i >= 0; i--) {
            if (builder.getInitializer(i).getName().equals(name)) {
                builder.removeInitializer(i);
            }
        }
        return builder.build();
    }

    /** Final expand (BN folded, h-swish), global pool, 1x1 feature mix (h-swish), flatten, classifier. */
    static ONNXNode head(
            ONNXContext context,
            ONNXRef<?> input,
            StaticSubnet.ConvNorm finalExpand,
            NDArray featureMixWeight,
            NDArray classifierWeight,
            NDArray classifierBias) {
        ONNXRef<?> x = convNorm(context, input, finalExpand, "final_expand");
        x = x.apply(OnnxOp.GLOBAL_AVERAGE_POOL);
        x = apply(x, OnnxOp.CONV, conv(1, 1, 1), tensor(context, "feature_mix_w", featureMixWeight));
        x = x.apply(OnnxOp.HARD_SWISH);
        x = x.apply(OnnxOp.FLATTEN, Map.of("axis", 1));
        return apply(
                x,
                OnnxOp.GEMM,
                Map.of("transB", 1),
                tensor(context, "classifier_w", classifierWeight),
                tensor(context, "classifier_b", classifierBias));
    }

    /** A model around a finished graph: opset, IR version, producer; no metadata yet. */
    static OnnxMl.ModelProto.Builder modelBuilder(OnnxMl.GraphProto graph, String doc) {
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("tailor")
                .setDomain("dev.tailor")
                .setModelVersion(1)
                .setDocString(doc)
                .setGraph(graph)
                .addOpsetImport(
                        OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxOp.OPSET));
    }

    /** The metadata_props entries, in a fixed order. */
    Map<String, String> metadata() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("tailor.supernet_id", metadata.supernetId());
        props.put("tailor.config", metadata.configJson());
        props.put("tailor.config_sha256", metadata.configSha256());
        props.put("tailor.dataset", metadata.dataset());
        Map<String, Object> normalization = new LinkedHashMap<>();
        normalization.put("scale", "pixel / 255");
        normalization.put("mean", metadata.normalizationMean());
        normalization.put("std", metadata.normalizationStd());
        props.put("tailor.normalization", JSON.writeValueAsString(normalization));
        props.put("tailor.class_names", JSON.writeValueAsString(metadata.classNames()));
        props.put("tailor.validation_top1", number(metadata.validationTop1()));
        props.put("tailor.test_top1", number(metadata.testTop1()));
        props.put("tailor.macs", Long.toString(metadata.macs()));
        props.put(RESOLUTION_KEY, Integer.toString(subnet.plan().resolution()));
        props.put(INPUT_SIZE_KEY, Integer.toString(inputSize));
        return props;
    }

    private static String number(Double value) {
        return value == null ? "not measured" : String.format(Locale.ROOT, "%.6f", value);
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long dim : dims) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(dim));
        }
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(OnnxMl.TypeProto.newBuilder()
                        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                                .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                                .setShape(shape)))
                .build();
    }

    /** Writes a convolution with its batch norm: folded for inference, or with batch statistics to calibrate. */
    @FunctionalInterface
    interface ConvNormWriter {
        ONNXRef<?> write(ONNXContext context, ONNXRef<?> x, StaticSubnet.ConvNorm layer, String name);
    }

    static ONNXRef<?> block(ONNXContext context, ONNXRef<?> input, StaticSubnet.Block block, String name) {
        return block(context, input, block, name, OnnxExport::convNorm);
    }

    static ONNXRef<?> block(
            ONNXContext context, ONNXRef<?> input, StaticSubnet.Block block, String name, ConvNormWriter norms) {
        ONNXRef<?> x = input;
        if (block.expand() != null) {
            x = norms.write(context, x, block.expand(), name + "_expand");
        }
        x = norms.write(context, x, block.depthwise(), name + "_depthwise");
        if (block.se() != null) {
            StaticSubnet.SqueezeExcite se = block.se();
            ONNXRef<?> squeezed = x.apply(OnnxOp.GLOBAL_AVERAGE_POOL);
            ONNXRef<?> hidden = apply(
                            squeezed,
                            OnnxOp.CONV,
                            conv(1, 1, 1),
                            tensor(context, name + "_se_reduce_w", se.reduceWeight()),
                            tensor(context, name + "_se_reduce_b", se.reduceBias()))
                    .apply(OnnxOp.RELU);
            ONNXRef<?> gate = apply(
                            hidden,
                            OnnxOp.CONV,
                            conv(1, 1, 1),
                            tensor(context, name + "_se_expand_w", se.expandWeight()),
                            tensor(context, name + "_se_expand_b", se.expandBias()))
                    .apply(OnnxOp.HARD_SIGMOID, hardSigmoid());
            x = x.apply(OnnxOp.MUL, gate);
        }
        x = norms.write(context, x, block.project(), name + "_project");
        return block.residual() ? x.apply(OnnxOp.ADD, input) : x;
    }

    /** A convolution with its batch norm folded in: w * g / sqrt(v + eps), b = beta - m * g / sqrt(v + eps). */
    static ONNXRef<?> convNorm(ONNXContext context, ONNXRef<?> x, StaticSubnet.ConvNorm layer, String name) {
        long[] shape = layer.weight().getShape().getShape();
        float[] weight = layer.weight().toFloatArray();
        float[] gamma = layer.gamma().toFloatArray();
        float[] beta = layer.beta().toFloatArray();
        float[] mean = layer.mean().toFloatArray();
        float[] var = layer.var().toFloatArray();
        int out = (int) shape[0];
        int perOutput = weight.length / out;
        float[] folded = new float[weight.length];
        float[] bias = new float[out];
        for (int o = 0; o < out; o++) {
            double scale = gamma[o] / Math.sqrt((double) var[o] + StaticSubnet.BATCH_NORM_EPSILON);
            for (int i = 0; i < perOutput; i++) {
                folded[o * perOutput + i] = (float) (weight[o * perOutput + i] * scale);
            }
            bias[o] = (float) (beta[o] - mean[o] * scale);
        }
        int kernel = (int) shape[2];
        ONNXRef<?> y = apply(
                x,
                OnnxOp.CONV,
                conv(kernel, layer.stride(), layer.groups()),
                floats(context, name + "_w", folded, shape),
                floats(context, name + "_b", bias, out));
        return layer.activation() == null ? y : activation(y, layer.activation());
    }

    /** {@code op(x, others...)} with attributes: Tribuo has that only in its list-returning form. */
    static ONNXNode apply(ONNXRef<?> x, OnnxOp op, Map<String, Object> attributes, ONNXRef<?>... others) {
        return x.apply(op, List.of(others), List.of(op.getOpName().toLowerCase(Locale.ROOT)), attributes)
                .get(0);
    }

    static ONNXRef<?> activation(ONNXRef<?> x, Activation activation) {
        return switch (activation) {
            case RELU -> x.apply(OnnxOp.RELU);
            case HSWISH -> x.apply(OnnxOp.HARD_SWISH);
        };
    }

    /**
     * h_sigmoid(x) = relu6(x + 3) / 6. Tribuo writes attributes in the map's order, and a two-entry
     * Map.of iterates in an order that changes from one JVM to the next, so the bytes would too.
     */
    private static Map<String, Object> hardSigmoid() {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("alpha", 1f / 6);
        attributes.put("beta", 0.5f);
        return attributes;
    }

    static Map<String, Object> conv(int kernel, int stride, int groups) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("kernel_shape", new int[] {kernel, kernel});
        attributes.put("strides", new int[] {stride, stride});
        attributes.put("pads", new int[] {kernel / 2, kernel / 2, kernel / 2, kernel / 2});
        attributes.put("dilations", new int[] {1, 1});
        attributes.put("group", groups);
        return attributes;
    }

    static ONNXInitializer tensor(ONNXContext context, String name, NDArray array) {
        return floats(context, name, array.toFloatArray(), array.getShape().getShape());
    }

    static ONNXInitializer floats(ONNXContext context, String name, float[] values, long... shape) {
        List<Integer> dims = new ArrayList<>();
        for (long dim : shape) {
            dims.add((int) dim);
        }
        if (dims.stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b) != values.length) {
            throw new IllegalArgumentException(
                    name + ": " + values.length + " values for shape " + Arrays.toString(shape));
        }
        return context.floatTensor(name, dims, buffer -> buffer.put(values));
    }
}
