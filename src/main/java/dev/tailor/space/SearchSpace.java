package dev.tailor.space;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import tools.jackson.databind.json.JsonMapper;

/**
 * A versioned MobileNetV3-style search space (OFA section 1.2, scaled down): a fixed stem and
 * first block, elastic stages of up to {@code max(depths)} inverted-residual blocks, and a head.
 * Every stage's blocks choose a kernel and an expand ratio; every stage chooses a depth; the
 * network chooses an input resolution.
 */
public record SearchSpace(
        int version,
        String name,
        int inputChannels,
        List<Integer> resolutions,
        Stem stem,
        FirstBlock firstBlock,
        List<Stage> stages,
        List<Integer> kernels,
        List<Integer> depths,
        List<Integer> expands,
        Head head,
        double dropout) {

    public static final int SPEC_VERSION = 1;
    public static final String FASHION_MNIST = "mbv3-28x28x1";
    public static final String CIFAR = "mbv3-32x32x3";

    public record Stem(int channels, int stride, Activation activation) {}

    /** OFA's fixed first block: depthwise k x k (expand 1), no elastic choice. */
    public record FirstBlock(int channels, int kernel, Activation activation) {}

    public record Stage(int width, int stride, Activation activation, boolean se) {}

    public record Head(int finalExpand, int featureMix) {}

    public SearchSpace {
        resolutions = sortedCopy(resolutions);
        kernels = sortedCopy(kernels);
        depths = sortedCopy(depths);
        expands = sortedCopy(expands);
        stages = List.copyOf(stages);
    }

    private static List<Integer> sortedCopy(List<Integer> values) {
        List<Integer> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return List.copyOf(sorted);
    }

    /** One of the spaces shipped with Tailor, by name. */
    public static SearchSpace named(String name) {
        try (InputStream in = SearchSpace.class.getResourceAsStream("/spaces/" + name + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException(
                        "no search space named '" + name + "'; use " + FASHION_MNIST + " or " + CIFAR);
            }
            return fromJson(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shipped space for images of this shape: 1 channel -> 28x28, 3 channels -> 32x32. */
    public static SearchSpace forInput(int channels) {
        return named(channels == 1 ? FASHION_MNIST : CIFAR);
    }

    public static SearchSpace fromJson(String json) {
        SearchSpace space = JsonMapper.builder().build().readValue(json, SearchSpace.class);
        if (space.version != SPEC_VERSION) {
            throw new IllegalArgumentException("search space version " + space.version
                    + " is not supported; this Tailor reads version " + SPEC_VERSION);
        }
        return space;
    }

    public String toJson() {
        return JsonMapper.builder().build().writeValueAsString(this);
    }

    public int maxDepth() {
        return depths.get(depths.size() - 1);
    }

    public int maxKernel() {
        return kernels.get(kernels.size() - 1);
    }

    public int maxExpand() {
        return expands.get(expands.size() - 1);
    }

    public int maxResolution() {
        return resolutions.get(resolutions.size() - 1);
    }

    /** Block slots in the supernet: every stage at its deepest. */
    public int blockSlots() {
        return stages.size() * maxDepth();
    }

    public SubnetConfig largest() {
        return uniform(maxResolution(), maxDepth(), maxKernel(), maxExpand());
    }

    public SubnetConfig smallest() {
        return uniform(resolutions.get(0), depths.get(0), kernels.get(0), expands.get(0));
    }

    private SubnetConfig uniform(int resolution, int depth, int kernel, int expand) {
        List<Integer> stageDepths = Collections.nCopies(stages.size(), depth);
        int blocks = depth * stages.size();
        return new SubnetConfig(
                resolution, stageDepths, Collections.nCopies(blocks, kernel), Collections.nCopies(blocks, expand));
    }

    /** OFA's uniform sampling: a depth per stage, a kernel and an expand ratio per active block. */
    public SubnetConfig sample(Random random) {
        return sample(random, kernels, depths, expands, resolutions);
    }

    /** Uniform sampling within narrower choices (progressive shrinking's phases). */
    public SubnetConfig sample(
            Random random,
            List<Integer> kernelChoices,
            List<Integer> depthChoices,
            List<Integer> expandChoices,
            List<Integer> resolutionChoices) {
        List<Integer> stageDepths = new ArrayList<>();
        List<Integer> blockKernels = new ArrayList<>();
        List<Integer> blockExpands = new ArrayList<>();
        for (int stage = 0; stage < stages.size(); stage++) {
            int depth = pick(random, depthChoices);
            stageDepths.add(depth);
            for (int block = 0; block < depth; block++) {
                blockKernels.add(pick(random, kernelChoices));
                blockExpands.add(pick(random, expandChoices));
            }
        }
        return new SubnetConfig(pick(random, resolutionChoices), stageDepths, blockKernels, blockExpands);
    }

    private static int pick(Random random, List<Integer> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    /** Why a config does not belong to this space; empty when it does. */
    public List<String> violations(SubnetConfig config) {
        List<String> problems = new ArrayList<>();
        if (!resolutions.contains(config.resolution())) {
            problems.add("resolution " + config.resolution() + " is not one of " + resolutions);
        }
        if (config.depths().size() != stages.size()) {
            problems.add(
                    "depths has " + config.depths().size() + " entries; this space has " + stages.size() + " stages");
            return problems;
        }
        int blocks = 0;
        for (int stage = 0; stage < stages.size(); stage++) {
            int depth = config.depths().get(stage);
            if (!depths.contains(depth)) {
                problems.add("depths[" + stage + "] = " + depth + " is not one of " + depths);
            }
            blocks += depth;
        }
        if (config.kernels().size() != blocks || config.expands().size() != blocks) {
            problems.add("kernels and expands need one entry per active block (" + blocks + " for these depths); got "
                    + config.kernels().size() + " and " + config.expands().size());
            return problems;
        }
        for (int i = 0; i < blocks; i++) {
            if (!kernels.contains(config.kernels().get(i))) {
                problems.add("kernels[" + i + "] = " + config.kernels().get(i) + " is not one of " + kernels);
            }
            if (!expands.contains(config.expands().get(i))) {
                problems.add("expands[" + i + "] = " + config.expands().get(i) + " is not one of " + expands);
            }
        }
        return problems;
    }

    public SubnetConfig requireMember(SubnetConfig config) {
        List<String> problems = violations(config);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "config is outside search space " + name + ": " + String.join("; ", problems));
        }
        return config;
    }

    /**
     * OFA's one-hot architecture encoding: per block slot, one-hot kernel then one-hot expand (all
     * zeros for a slot skipped by depth), then one-hot resolution.
     */
    public float[] encode(SubnetConfig config) {
        requireMember(config);
        int perSlot = kernels.size() + expands.size();
        float[] encoding = new float[blockSlots() * perSlot + resolutions.size()];
        int active = 0;
        for (int stage = 0; stage < stages.size(); stage++) {
            for (int block = 0; block < config.depths().get(stage); block++) {
                int slot = stage * maxDepth() + block;
                encoding[slot * perSlot + kernels.indexOf(config.kernels().get(active))] = 1;
                encoding[
                        slot * perSlot
                                + kernels.size()
                                + expands.indexOf(config.expands().get(active))] = 1;
                active++;
            }
        }
        encoding[blockSlots() * perSlot + resolutions.indexOf(config.resolution())] = 1;
        return encoding;
    }
}
