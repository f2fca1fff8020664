package dev.tailor.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl;
import dev.tailor.space.Activation;
import dev.tailor.space.SubnetPlan;
import dev.tailor.supernet.StaticSubnet;
import java.util.Random;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/**
 * One layer of a subnet as a model of its own, written exactly as the subnet export writes it
 * (BN folded, same operators), with seeded random weights: what a per-layer latency table times.
 * Latency does not depend on the weights' values, only on the shapes.
 */
public final class LayerModels {

    private LayerModels() {}

    /** The stem convolution (+ folded BN and activation). */
    public static byte[] stem(SubnetPlan.ConvLayer layer) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Weights weights = new Weights(manager, seed(layer.toString()));
            StaticSubnet.ConvNorm conv = weights.convNorm(
                    layer.outChannels(), layer.inChannels(), layer.kernel(), layer.stride(), 1, layer.activation());
            ONNXContext context = new ONNXContext();
            ONNXPlaceholder input = context.floatInput(OnnxExport.INPUT, layer.inChannels());
            ONNXRef<?> output = OnnxExport.convNorm(context, input, conv, "stem");
            return model(
                    context, new long[] {layer.inChannels(), layer.inputSize(), layer.inputSize()}, output, new long[] {
                        layer.outChannels(), layer.outputSize(), layer.outputSize()
                    });
        }
    }

    /** One inverted-residual block, shortcut included. */
    public static byte[] block(SubnetPlan.Block block) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Weights weights = new Weights(manager, seed(block.toString()));
            int mid = block.midChannels();
            StaticSubnet.ConvNorm expand = block.hasExpandConv()
                    ? weights.convNorm(mid, block.inChannels(), 1, 1, 1, block.activation())
                    : null;
            StaticSubnet.ConvNorm depthwise =
                    weights.convNorm(mid, 1, block.kernel(), block.stride(), mid, block.activation());
            StaticSubnet.SqueezeExcite se = block.se()
                    ? new StaticSubnet.SqueezeExcite(
                            weights.normal(block.seChannels(), mid, 1, 1),
                            weights.normal(block.seChannels()),
                            weights.normal(mid, block.seChannels(), 1, 1),
                            weights.normal(mid))
                    : null;
            StaticSubnet.ConvNorm project = weights.convNorm(block.outChannels(), mid, 1, 1, 1, null);
            ONNXContext context = new ONNXContext();
            ONNXPlaceholder input = context.floatInput(OnnxExport.INPUT, block.inChannels());
            ONNXRef<?> output = OnnxExport.block(
                    context, input, new StaticSubnet.Block(expand, depthwise, se, project, block.residual()), "block");
            return model(
                    context, new long[] {block.inChannels(), block.inputSize(), block.inputSize()}, output, new long[] {
                        block.outChannels(), block.outputSize(), block.outputSize()
                    });
        }
    }

    /** Final expand, pooling, feature mix and classifier. */
    public static byte[] head(SubnetPlan.HeadLayers head, int numClasses) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Weights weights = new Weights(manager, seed(head.toString() + numClasses));
            ONNXContext context = new ONNXContext();
            ONNXPlaceholder input = context.floatInput(OnnxExport.INPUT, head.inChannels());
            ONNXRef<?> output = OnnxExport.head(
                    context,
                    input,
                    weights.convNorm(head.finalExpand(), head.inChannels(), 1, 1, 1, Activation.HSWISH),
                    weights.normal(head.featureMix(), head.finalExpand(), 1, 1),
                    weights.normal(numClasses, head.featureMix()),
                    weights.normal(numClasses));
            return model(
                    context, new long[] {head.inChannels(), head.inputSize(), head.inputSize()}, output, new long[] {
                        numClasses
                    });
        }
    }

    private static byte[] model(ONNXContext context, long[] inputDims, ONNXRef<?> output, long[] outputDims) {
        OnnxMl.GraphProto graph = OnnxExport.graph(context, inputDims, output, outputDims);
        return OnnxExport.modelBuilder(graph, "one layer, random weights, for latency tables")
                .build()
                .toByteArray();
    }

    private static long seed(String text) {
        return text.hashCode();
    }

    /** Seeded random tensors on one manager. */
    private record Weights(NDManager manager, Random random) {

        Weights(NDManager manager, long seed) {
            this(manager, new Random(seed));
        }

        NDArray normal(long... shape) {
            Shape s = new Shape(shape);
            float[] values = new float[(int) s.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextGaussian() * 0.1);
            }
            return manager.create(values, s);
        }

        NDArray positive(int n) {
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                values[i] = 0.5f + random.nextFloat();
            }
            return manager.create(values, new Shape(n));
        }

        StaticSubnet.ConvNorm convNorm(
                int out, int inPerGroup, int kernel, int stride, int groups, Activation activation) {
            return new StaticSubnet.ConvNorm(
                    normal(out, inPerGroup, kernel, kernel),
                    stride,
                    groups,
                    positive(out),
                    normal(out),
                    normal(out),
                    positive(out),
                    activation);
        }
    }
}
