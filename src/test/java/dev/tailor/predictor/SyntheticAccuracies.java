package dev.tailor.predictor;

import dev.tailor.cost.SubnetCosts;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Sampled subnets of a real search space with a hidden accuracy function: per block slot, an effect
 * of its kernel plus an effect of its expand ratio, both growing with size (so MACs tell part of
 * the story) but varying at random from slot to slot (which MACs cannot see); a resolution effect;
 * an interaction between depth and the share of large kernels that no additive model captures; and
 * a little noise.
 *
 * <p>Effects of a slot's kernel and expand ratio jointly (a random value per combination) would be
 * much harder: with 320 training rows the MLP then does no better than least squares on the
 * one-hot encoding (about 0.6 points held out against the MACs line's 0.9).
 */
record SyntheticAccuracies(
        SearchSpace space, List<SubnetConfig> configs, float[][] encodings, double[] accuracies, long[] macs) {

    static final double NOISE = 0.002;

    static SyntheticAccuracies sample(SearchSpace space, int rows, long seed) {
        Random random = new Random(seed);
        int slots = space.blockSlots();
        int kernels = space.kernels().size();
        int expands = space.expands().size();
        double[][] kernelEffect = new double[slots][kernels];
        double[][] expandEffect = new double[slots][expands];
        for (int slot = 0; slot < slots; slot++) {
            for (int k = 0; k < kernels; k++) {
                kernelEffect[slot][k] = 0.001 * k + 0.005 * (random.nextDouble() - 0.5);
            }
            for (int e = 0; e < expands; e++) {
                expandEffect[slot][e] = 0.001 * e + 0.005 * (random.nextDouble() - 0.5);
            }
        }
        List<SubnetConfig> configs = new ArrayList<>();
        float[][] encodings = new float[rows][];
        double[] accuracies = new double[rows];
        long[] macs = new long[rows];
        for (int i = 0; i < rows; i++) {
            SubnetConfig config = space.sample(random);
            configs.add(config);
            encodings[i] = space.encode(config);
            macs[i] = SubnetCosts.of(SubnetPlan.of(space, config, 10)).macs();
            double accuracy = 0.78 + 0.01 * space.resolutions().indexOf(config.resolution());
            int active = 0;
            for (int stage = 0; stage < config.depths().size(); stage++) {
                for (int block = 0; block < config.depths().get(stage); block++) {
                    int slot = stage * space.maxDepth() + block;
                    int kernel = space.kernels().indexOf(config.kernels().get(active));
                    int expand = space.expands().indexOf(config.expands().get(active));
                    accuracy += kernelEffect[slot][kernel] + expandEffect[slot][expand];
                    active++;
                }
            }
            long largeKernels = config.kernels().stream()
                    .filter(k -> k == space.maxKernel())
                    .count();
            accuracy += 0.03 * Math.tanh((active - 9) / 3.0) * largeKernels / active;
            accuracies[i] = accuracy + NOISE * random.nextGaussian();
        }
        return new SyntheticAccuracies(space, configs, encodings, accuracies, macs);
    }
}
