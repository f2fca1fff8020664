package dev.tailor.catalogue;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The ONNX Runtime execution provider a device runs models with. */
public enum ExecutionProvider {
    CPU,
    CUDA,
    TENSORRT,
    OPENVINO,
    COREML,
    NNAPI,
    XNNPACK;

    @JsonValue
    public String wireName() {
        return LowerCaseEnums.wireName(this);
    }

    @JsonCreator
    public static ExecutionProvider fromWire(String text) {
        return LowerCaseEnums.parse(ExecutionProvider.class, text);
    }
}
