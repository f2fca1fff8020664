package dev.tailor.latency;

import dev.tailor.onnx.LayerModels;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A subnet as the layers a latency table holds, keyed as OFA's tables are (operator, input and
 * output shape, expand ratio, kernel, stride, SE, activation, shortcut): the stem, every block
 * (the fixed first one included) and the head (final expand, pool, feature mix, classifier).
 */
public final class SubnetLayers {

    private SubnetLayers() {}

    /**
     * One layer: its table key, the input resolution of the subnet it was taken from (a layer of
     * the same shapes may occur at several; the table keeps the first) and, to measure it, its
     * model with random weights.
     */
    public record Layer(String key, int resolution, Supplier<byte[]> model) {}

    /** Every layer the space has, by key: the layers of its {@link #uniformPlans uniform plans}. */
    public static Map<String, Layer> ofSpace(SearchSpace space, int numClasses) {
        Map<String, Layer> layers = new LinkedHashMap<>();
        for (SubnetPlan plan : uniformPlans(space, numClasses)) {
            for (Layer layer : of(plan)) {
                layers.putIfAbsent(layer.key(), layer);
            }
        }
        return layers;
    }

    /**
     * The space's uniform subnets of each resolution, kernel and expand ratio at full depth. They
     * hold every layer the space has: a block's shapes depend on its stage, position, kernel and
     * expand ratio and the resolution, never on other blocks' choices.
     */
    static List<SubnetPlan> uniformPlans(SearchSpace space, int numClasses) {
        List<SubnetPlan> plans = new ArrayList<>();
        int blocks = space.blockSlots();
        for (int resolution : space.resolutions()) {
            for (int kernel : space.kernels()) {
                for (int expand : space.expands()) {
                    SubnetConfig uniform = new SubnetConfig(
                            resolution,
                            Collections.nCopies(space.stages().size(), space.maxDepth()),
                            Collections.nCopies(blocks, kernel),
                            Collections.nCopies(blocks, expand));
                    plans.add(SubnetPlan.of(space, uniform, numClasses));
                }
            }
        }
        return plans;
    }

    public static List<Layer> of(SubnetPlan plan) {
        List<Layer> layers = new ArrayList<>();
        SubnetPlan.ConvLayer stem = plan.stem();
        layers.add(new Layer(
                String.format(
                        Locale.ROOT,
                        "conv-input:%s-output:%s-kernel:%d-stride:%d-act:%s",
                        shape(stem.inputSize(), stem.inChannels()),
                        shape(stem.outputSize(), stem.outChannels()),
                        stem.kernel(),
                        stem.stride(),
                        stem.activation().wireName()),
                plan.resolution(),
                () -> LayerModels.stem(stem)));
        List<SubnetPlan.Block> blocks = new ArrayList<>(List.of(plan.firstBlock()));
        blocks.addAll(plan.blocks());
        for (SubnetPlan.Block block : blocks) {
            layers.add(new Layer(
                    String.format(
                            Locale.ROOT,
                            "mbconv-input:%s-output:%s-expand:%d-kernel:%d-stride:%d-se:%d-act:%s-idskip:%d",
                            shape(block.inputSize(), block.inChannels()),
                            shape(block.outputSize(), block.outChannels()),
                            block.expand(),
                            block.kernel(),
                            block.stride(),
                            block.se() ? 1 : 0,
                            block.activation().wireName(),
                            block.residual() ? 1 : 0),
                    plan.resolution(),
                    () -> LayerModels.block(block)));
        }
        SubnetPlan.HeadLayers head = plan.head();
        layers.add(new Layer(
                String.format(
                        Locale.ROOT,
                        "head-input:%s-final:%d-mix:%d-classes:%d",
                        shape(head.inputSize(), head.inChannels()),
                        head.finalExpand(),
                        head.featureMix(),
                        plan.numClasses()),
                plan.resolution(),
                () -> LayerModels.head(head, plan.numClasses())));
        return layers;
    }

    private static String shape(int size, int channels) {
        return size + "x" + size + "x" + channels;
    }
}
