package dev.tailor.onnx;

import ai.onnx.proto.OnnxMl;
import dev.tailor.supernet.StaticSubnet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXRef;

/**
 * A subnet as batch norm sees it while its running statistics are re-estimated (OFA's
 * set_running_statistics): every batch norm normalises with its batch's own mean and biased
 * variance, and both are outputs of the graph, so that ONNX Runtime measures them at inference
 * speed. The graph stops at the last batch norm; nothing after it has statistics.
 */
final class BatchStatisticsModel {

    /** The serialised model and its outputs' names, one mean and one variance per batch norm in forward order. */
    record Built(byte[] bytes, List<String> means, List<String> vars) {}

    private static final int[] CHANNEL_AXES = {0, 2, 3};

    private BatchStatisticsModel() {}

    static Built of(StaticSubnet subnet) {
        ONNXContext context = new ONNXContext();
        context.setName("tailor-batch-statistics");
        int resolution = subnet.plan().resolution();
        int channels = subnet.plan().inputChannels();
        List<ONNXRef<?>> means = new ArrayList<>();
        List<ONNXRef<?>> vars = new ArrayList<>();
        OnnxExport.ConvNormWriter writer = (ctx, x, layer, name) -> batchStatistics(ctx, x, layer, name, means, vars);
        ONNXRef<?> x = writer.write(context, context.floatInput(OnnxExport.INPUT, channels), subnet.stem(), "stem");
        x = OnnxExport.block(context, x, subnet.firstBlock(), "block0", writer);
        for (int i = 0; i < subnet.blocks().size(); i++) {
            x = OnnxExport.block(context, x, subnet.blocks().get(i), "block" + (i + 1), writer);
        }
        writer.write(context, x, subnet.finalExpand(), "final_expand");

        OnnxMl.GraphProto.Builder graph = context.buildGraph().toBuilder();
        graph.setInput(0, tensorInfo(OnnxExport.INPUT, true, channels, resolution, resolution));
        List<String> meanNames = new ArrayList<>();
        List<String> varNames = new ArrayList<>();
        for (int i = 0; i < means.size(); i++) {
            meanNames.add(means.get(i).getReference());
            varNames.add(vars.get(i).getReference());
            graph.addOutput(tensorInfo(meanNames.get(i), false));
            graph.addOutput(tensorInfo(varNames.get(i), false));
        }
        byte[] bytes = OnnxExport.modelBuilder(
                        graph.build(), "Batch-norm statistics of a subnet for recalibration; not a classifier.")
                .build()
                .toByteArray();
        return new Built(bytes, meanNames, varNames);
    }

    /** conv, then (y - mean) / sqrt(var + eps) * gamma + beta with this batch's mean and biased variance. */
    private static ONNXRef<?> batchStatistics(
            ONNXContext context,
            ONNXRef<?> x,
            StaticSubnet.ConvNorm layer,
            String name,
            List<ONNXRef<?>> means,
            List<ONNXRef<?>> vars) {
        long[] shape = layer.weight().getShape().getShape();
        int out = (int) shape[0];
        ONNXRef<?> y = OnnxExport.apply(
                x,
                OnnxOp.CONV,
                OnnxExport.conv((int) shape[2], layer.stride(), layer.groups()),
                OnnxExport.tensor(context, name + "_w", layer.weight()));
        ONNXRef<?> mean = OnnxExport.apply(y, OnnxOp.REDUCE_MEAN, channelMean());
        ONNXRef<?> centred = y.apply(OnnxOp.SUB, mean);
        ONNXRef<?> var = OnnxExport.apply(centred.apply(OnnxOp.MUL, centred), OnnxOp.REDUCE_MEAN, channelMean());
        means.add(mean);
        vars.add(var);
        ONNXRef<?> deviation = var.apply(
                        OnnxOp.ADD,
                        OnnxExport.floats(context, name + "_eps", new float[] {StaticSubnet.BATCH_NORM_EPSILON}, 1))
                .apply(OnnxOp.SQRT);
        ONNXRef<?> normalised = centred.apply(OnnxOp.DIV, deviation)
                .apply(
                        OnnxOp.MUL,
                        OnnxExport.floats(
                                context, name + "_gamma", layer.gamma().toFloatArray(), 1, out, 1, 1))
                .apply(
                        OnnxOp.ADD,
                        OnnxExport.floats(context, name + "_beta", layer.beta().toFloatArray(), 1, out, 1, 1));
        return layer.activation() == null ? normalised : OnnxExport.activation(normalised, layer.activation());
    }

    private static Map<String, Object> channelMean() {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("axes", CHANNEL_AXES);
        attributes.put("keepdims", 1);
        return attributes;
    }

    /** A float tensor's type; with {@code batched}, a free batch dimension and then {@code dims}. */
    private static OnnxMl.ValueInfoProto tensorInfo(String name, boolean batched, long... dims) {
        OnnxMl.TypeProto.Tensor.Builder tensor =
                OnnxMl.TypeProto.Tensor.newBuilder().setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber());
        if (batched) {
            OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder()
                    .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
            for (long dim : dims) {
                shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(dim));
            }
            tensor.setShape(shape);
        }
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(tensor))
                .build();
    }
}
