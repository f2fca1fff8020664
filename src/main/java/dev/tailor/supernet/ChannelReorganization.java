package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import dev.tailor.space.SubnetPlan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * OFA's re_organize_middle_weights: sorts each elastic block's middle channels by importance, the
 * L1 norm of the projection weights that read them, so that a narrower expand ratio keeps the most
 * important channels. DεpS calls it once when shrinking starts; progressive shrinking at the start
 * of each expand phase, with penalties that keep channels inside the widths already trained.
 */
public final class ChannelReorganization {

    private static final double PENALTY = 1e5;

    private ChannelReorganization() {}

    /**
     * Reorders the supernet's weights in place and returns what it did, so that optimizer state
     * can follow.
     *
     * @param expandStage 0 sorts freely; k > 0 keeps the k+1 largest expand widths nested
     */
    public static List<ChannelPermutation> reorganize(Supernet supernet, int expandStage) {
        List<ChannelPermutation> done = new ArrayList<>();
        List<Integer> expandsDescending = supernet.space().expands().stream()
                .sorted(Comparator.reverseOrder())
                .toList();
        for (List<ElasticMBConv> stage : supernet.stages()) {
            for (ElasticMBConv block : stage) {
                reorganize(block, expandsDescending, expandStage, done);
            }
        }
        return done;
    }

    private static void reorganize(
            ElasticMBConv block, List<Integer> expandsDescending, int expandStage, List<ChannelPermutation> done) {
        float[] importance = l1(block.projectConv().weight().getArray(), 1);
        if (expandStage > 0) {
            int right = importance.length;
            double base = -expandsDescending.size() * PENALTY;
            for (int i = 0; i <= expandStage && i < expandsDescending.size(); i++) {
                int left = SubnetPlan.midChannels(block.inChannels(), expandsDescending.get(i));
                for (int c = left; c < right; c++) {
                    importance[c] += (float) base;
                }
                base += PENALTY;
                right = left;
            }
        }
        int[] order = descending(importance);
        List<ChannelPermutation> middle = new ArrayList<>();
        middle.add(new ChannelPermutation(block.projectConv().weight(), 1, order));
        middle.add(new ChannelPermutation(block.depthwise().weight(), 0, order));
        addNorm(block.depthwiseNorm(), order, middle);
        if (block.expandConv() != null) {
            middle.add(new ChannelPermutation(block.expandConv().weight(), 0, order));
            addNorm(block.expandNorm(), order, middle);
        }
        DynamicSqueezeExcite se = block.squeezeExcite();
        if (se != null) {
            middle.add(new ChannelPermutation(se.expandWeight(), 0, order));
            middle.add(new ChannelPermutation(se.expandBias(), 0, order));
            middle.add(new ChannelPermutation(se.reduceWeight(), 1, order));
        }
        apply(middle, done);
        if (se != null) {
            // then the squeeze-excite's own hidden units, by the L1 norm of the weights reading them
            int[] hiddenOrder = descending(l1(se.expandWeight().getArray(), 1));
            apply(
                    List.of(
                            new ChannelPermutation(se.expandWeight(), 1, hiddenOrder),
                            new ChannelPermutation(se.reduceWeight(), 0, hiddenOrder),
                            new ChannelPermutation(se.reduceBias(), 0, hiddenOrder)),
                    done);
        }
    }

    private static void addNorm(DynamicBatchNorm norm, int[] order, List<ChannelPermutation> into) {
        for (Parameter parameter : List.of(norm.gamma(), norm.beta(), norm.runningMean(), norm.runningVar())) {
            into.add(new ChannelPermutation(parameter, 0, order));
        }
    }

    private static void apply(List<ChannelPermutation> permutations, List<ChannelPermutation> done) {
        for (ChannelPermutation permutation : permutations) {
            permutation.applyInPlace(permutation.parameter().getArray());
            done.add(permutation);
        }
    }

    /** Sum of absolute values over every axis but {@code keep}. */
    static float[] l1(NDArray weight, int keep) {
        int[] axes = IntStream.range(0, weight.getShape().dimension())
                .filter(axis -> axis != keep)
                .toArray();
        try (NDArray abs = weight.abs();
                NDArray sums = abs.sum(axes)) {
            return sums.toFloatArray();
        }
    }

    /** Indices that sort {@code values} from largest to smallest; ties keep their order. */
    static int[] descending(float[] values) {
        return IntStream.range(0, values.length)
                .boxed()
                .sorted((a, b) -> Float.compare(values[b], values[a]))
                .mapToInt(Integer::intValue)
                .toArray();
    }
}
