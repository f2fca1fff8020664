package dev.tailor.onnx;

import ai.onnx.proto.OnnxMl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts an ONNX graph's costs on its own terms, with shapes propagated from the input through the
 * operators an export uses: Conv and Gemm multiply-accumulates, every initializer element a
 * parameter, and the largest total of non-initializer tensors alive while a node runs.
 */
record GraphCosts(long macs, long params, long peakActivationBytes) {

    static GraphCosts of(OnnxMl.GraphProto graph) {
        Map<String, long[]> shapes = new HashMap<>();
        Map<String, long[]> initializers = new HashMap<>();
        long params = 0;
        for (OnnxMl.TensorProto tensor : graph.getInitializerList()) {
            long[] dims =
                    tensor.getDimsList().stream().mapToLong(Long::longValue).toArray();
            initializers.put(tensor.getName(), dims);
            params += elements(dims);
        }
        OnnxMl.TensorShapeProto input =
                graph.getInput(0).getType().getTensorType().getShape();
        shapes.put(graph.getInput(0).getName(), new long[] {
            input.getDim(1).getDimValue(),
            input.getDim(2).getDimValue(),
            input.getDim(3).getDimValue()
        });
        long macs = 0;
        Map<String, Integer> madeAt = new HashMap<>();
        Map<String, Integer> lastReadAt = new HashMap<>();
        madeAt.put(graph.getInput(0).getName(), -1);
        List<OnnxMl.NodeProto> nodes = graph.getNodeList();
        for (int i = 0; i < nodes.size(); i++) {
            for (String name : nodes.get(i).getInputList()) {
                if (!initializers.containsKey(name)) {
                    lastReadAt.put(name, i);
                }
            }
            madeAt.put(nodes.get(i).getOutput(0), i);
        }
        lastReadAt.put(graph.getOutput(0).getName(), nodes.size());
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            long[] in = shapes.get(node.getInput(0));
            long[] out;
            switch (node.getOpType()) {
                case "Conv" -> {
                    long[] w = initializers.get(node.getInput(1));
                    long stride = ints(node, "strides").get(0);
                    long pad = ints(node, "pads").get(0);
                    long size = (in[1] + 2 * pad - w[2]) / stride + 1;
                    out = new long[] {w[0], size, size};
                    macs += elements(w) * size * size;
                }
                case "GlobalAveragePool" -> out = new long[] {in[0], 1, 1};
                case "Flatten" -> out = new long[] {elements(in)};
                case "Gemm" -> {
                    long[] w = initializers.get(node.getInput(1));
                    out = new long[] {w[0]};
                    macs += elements(w);
                }
                default -> out = in;
            }
            shapes.put(node.getOutput(0), out);
        }
        long peak = 0;
        for (int i = 0; i < nodes.size(); i++) {
            long live = 0;
            for (Map.Entry<String, Integer> tensor : madeAt.entrySet()) {
                if (tensor.getValue() <= i && lastReadAt.getOrDefault(tensor.getKey(), tensor.getValue()) >= i) {
                    live += elements(shapes.get(tensor.getKey()));
                }
            }
            peak = Math.max(peak, live);
        }
        return new GraphCosts(macs, params, peak * 4);
    }

    private static List<Long> ints(OnnxMl.NodeProto node, String name) {
        return node.getAttributeList().stream()
                .filter(a -> a.getName().equals(name))
                .findFirst()
                .orElseThrow()
                .getIntsList();
    }

    private static long elements(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }
}
