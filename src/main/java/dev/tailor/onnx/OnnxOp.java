package dev.tailor.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXOperator;

/**
 * The ONNX operators an exported subnet uses, at one opset. Tribuo's own enum covers linear
 * models and trees (no Conv, pooling or hard activations) and pins an older opset, so the CNN set
 * lives here; HardSwish needs opset 14 or newer, Shape's start and end opset 15.
 */
enum OnnxOp implements ONNXOperator {
    CONV(
            "Conv",
            2,
            1,
            attribute("kernel_shape", AttributeType.INTS),
            attribute("strides", AttributeType.INTS),
            attribute("pads", AttributeType.INTS),
            attribute("dilations", AttributeType.INTS),
            attribute("group", AttributeType.INT)),
    RELU("Relu", 1, 0),
    HARD_SWISH("HardSwish", 1, 0),
    HARD_SIGMOID("HardSigmoid", 1, 0, attribute("alpha", AttributeType.FLOAT), attribute("beta", AttributeType.FLOAT)),
    GLOBAL_AVERAGE_POOL("GlobalAveragePool", 1, 0),
    MUL("Mul", 2, 0),
    ADD("Add", 2, 0),
    // ReduceMean, Sub, Div and Sqrt write batch norm with batch statistics (calibration graphs only)
    REDUCE_MEAN("ReduceMean", 1, 0, attribute("axes", AttributeType.INTS), attribute("keepdims", AttributeType.INT)),
    SUB("Sub", 2, 0),
    DIV("Div", 2, 0),
    SQRT("Sqrt", 1, 0),
    FLATTEN("Flatten", 1, 0, attribute("axis", AttributeType.INT)),
    GEMM(
            "Gemm",
            2,
            1,
            attribute("alpha", AttributeType.FLOAT),
            attribute("beta", AttributeType.FLOAT),
            attribute("transA", AttributeType.INT),
            attribute("transB", AttributeType.INT)),
    // Shape, Concat and Resize bring images at the dataset's size to the subnet's resolution
    SHAPE("Shape", 1, 0, attribute("start", AttributeType.INT), attribute("end", AttributeType.INT)),
    // -1 inputs: Tribuo's mark for one or more
    CONCAT("Concat", -1, 0, attribute("axis", AttributeType.INT)),
    /** Inputs X, then the optional roi, scales and sizes. */
    RESIZE(
            "Resize",
            1,
            3,
            attribute("mode", AttributeType.STRING),
            attribute("coordinate_transformation_mode", AttributeType.STRING),
            attribute("cubic_coeff_a", AttributeType.FLOAT),
            attribute("exclude_outside", AttributeType.INT),
            attribute("extrapolation_value", AttributeType.FLOAT),
            attribute("nearest_mode", AttributeType.STRING));

    /** The opset every exported model declares. */
    static final int OPSET = 17;

    private final String opName;
    private final int inputs;
    private final int optionalInputs;
    private final Map<String, ONNXAttribute> attributes;

    OnnxOp(String opName, int inputs, int optionalInputs, ONNXAttribute... attributes) {
        this.opName = opName;
        this.inputs = inputs;
        this.optionalInputs = optionalInputs;
        Map<String, ONNXAttribute> byName = new LinkedHashMap<>();
        for (ONNXAttribute attribute : attributes) {
            byName.put(attribute.getName(), attribute);
        }
        this.attributes = Collections.unmodifiableMap(byName);
    }

    private static ONNXAttribute attribute(String name, AttributeType type) {
        return new ONNXAttribute(name, type, false);
    }

    @Override
    public String getOpName() {
        return opName;
    }

    @Override
    public int getNumInputs() {
        return inputs;
    }

    @Override
    public int getNumOptionalInputs() {
        return optionalInputs;
    }

    @Override
    public int getNumOutputs() {
        return 1;
    }

    @Override
    public Map<String, ONNXAttribute> getAttributes() {
        return attributes;
    }

    @Override
    public Set<String> getMandatoryAttributeNames() {
        return Set.of();
    }

    @Override
    public int getOpVersion() {
        return OPSET;
    }

    @Override
    public String getOpDomain() {
        return "";
    }
}
