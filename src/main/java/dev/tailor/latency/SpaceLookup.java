package dev.tailor.latency;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A per-layer figure (table milliseconds, a roofline estimate) of every layer a space has, laid out
 * so that a config's sum is a few array reads: searches ask for tens of thousands of configs, and
 * building each one's plan and layer keys would cost more than the search itself. It relies on
 * what {@link SubnetLayers#uniformPlans} relies on: a block's shapes depend only on its own
 * resolution, stage, position, kernel and expand ratio.
 */
final class SpaceLookup {

    private final SearchSpace space;
    private final int fixedLayers;
    /** By resolution index: stem, fixed first block and head together. */
    private final double[] fixed;
    /** By resolution index, block slot, kernel index, expand index. */
    private final double[][][][] blocks;

    private SpaceLookup(SearchSpace space, int fixedLayers, double[] fixed, double[][][][] blocks) {
        this.space = space;
        this.fixedLayers = fixedLayers;
        this.fixed = fixed;
        this.blocks = blocks;
    }

    /**
     * {@code perLayer} gives a plan's figures in {@link SubnetLayers#of} order; NaN for a layer it
     * has no figure for, and then the lookup is empty: it answers for every config or for none.
     */
    static Optional<SpaceLookup> of(SearchSpace space, int classes, Function<SubnetPlan, double[]> perLayer) {
        List<Integer> resolutions = space.resolutions();
        double[] fixed = new double[resolutions.size()];
        double[][][][] blocks = new double[resolutions.size()][space.blockSlots()]
                [space.kernels().size()][space.expands().size()];
        int fixedLayers = 0;
        for (SubnetPlan plan : SubnetLayers.uniformPlans(space, classes)) {
            double[] figures = perLayer.apply(plan);
            for (double figure : figures) {
                if (Double.isNaN(figure)) {
                    return Optional.empty();
                }
            }
            int r = resolutions.indexOf(plan.resolution());
            // a uniform plan is at full depth: after the stem and the first block, block i sits in slot i
            int k = space.kernels().indexOf(plan.config().kernels().get(0));
            int e = space.expands().indexOf(plan.config().expands().get(0));
            for (int slot = 0; slot < plan.blocks().size(); slot++) {
                blocks[r][slot][k][e] = figures[2 + slot];
            }
            fixedLayers = figures.length - plan.blocks().size();
            fixed[r] = figures[0] + figures[1] + figures[figures.length - 1];
        }
        return Optional.of(new SpaceLookup(space, fixedLayers, fixed, blocks));
    }

    /** The config's figures summed over its layers. */
    double sum(SubnetConfig config) {
        space.requireMember(config);
        int r = space.resolutions().indexOf(config.resolution());
        double sum = fixed[r];
        int active = 0;
        for (int stage = 0; stage < config.depths().size(); stage++) {
            for (int index = 0; index < config.depths().get(stage); index++) {
                int k = space.kernels().indexOf(config.kernels().get(active));
                int e = space.expands().indexOf(config.expands().get(active));
                sum += blocks[r][stage * space.maxDepth() + index][k][e];
                active++;
            }
        }
        return sum;
    }

    /** Layers a latency table keys for the config: stem, first block, its blocks, head. */
    int layers(SubnetConfig config) {
        return fixedLayers + config.activeBlocks();
    }

    /**
     * The least, over every config of the space, of the sum over its layers of {@code scale *
     * figure + perLayer}: exact without walking the configs, since every stage picks its depth and
     * every block its kernel and expand ratio independently.
     */
    double least(double scale, double perLayer) {
        double least = Double.POSITIVE_INFINITY;
        for (int r = 0; r < fixed.length; r++) {
            double total = scale * fixed[r] + perLayer * fixedLayers;
            for (int stage = 0; stage < space.stages().size(); stage++) {
                double stageLeast = Double.POSITIVE_INFINITY;
                for (int depth : space.depths()) {
                    double run = 0;
                    for (int index = 0; index < depth; index++) {
                        double block = Double.POSITIVE_INFINITY;
                        for (double[] byExpand : blocks[r][stage * space.maxDepth() + index]) {
                            for (double figure : byExpand) {
                                block = Math.min(block, scale * figure + perLayer);
                            }
                        }
                        run += block;
                    }
                    stageLeast = Math.min(stageLeast, run);
                }
                total += stageLeast;
            }
            least = Math.min(least, total);
        }
        return least;
    }
}
