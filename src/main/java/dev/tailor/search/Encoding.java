package dev.tailor.search;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How a {@link Genome} lays a subnet of one space out: gene 0 is the resolution's index, genes
 * 1..S the stages' depth indices, then a kernel index and an expand index for every block slot
 * (stage by stage, {@code maxDepth} slots each). Choice lists are sorted, so index 0 is always the
 * smallest choice.
 */
final class Encoding {

    private final int stages;
    private final int maxDepth;
    private final int[] resolutions;
    private final int[] depths;
    private final int[] kernels;
    private final int[] expands;

    Encoding(SearchSpace space) {
        stages = space.stages().size();
        maxDepth = space.maxDepth();
        resolutions = values(space.resolutions(), "resolutions");
        depths = values(space.depths(), "depths");
        kernels = values(space.kernels(), "kernels");
        expands = values(space.expands(), "expands");
    }

    private static int[] values(List<Integer> choices, String what) {
        if (choices.isEmpty() || choices.size() > Byte.MAX_VALUE) {
            throw new IllegalArgumentException("a search space needs 1 to 127 " + what + "; got " + choices.size());
        }
        return choices.stream().mapToInt(Integer::intValue).toArray();
    }

    int stages() {
        return stages;
    }

    int resolutionChoices() {
        return resolutions.length;
    }

    int depthChoices() {
        return depths.length;
    }

    int kernelChoices() {
        return kernels.length;
    }

    int expandChoices() {
        return expands.length;
    }

    int length() {
        return 1 + stages + 2 * stages * maxDepth;
    }

    static int resolutionGene() {
        return 0;
    }

    int depthGene(int stage) {
        return 1 + stage;
    }

    int kernelGene(int stage, int block) {
        return 1 + stages + 2 * (stage * maxDepth + block);
    }

    int expandGene(int stage, int block) {
        return kernelGene(stage, block) + 1;
    }

    /** Active blocks of a stage. */
    int depth(byte[] genes, int stage) {
        return depths[genes[depthGene(stage)]];
    }

    /**
     * Sets a stage's depth choice: slots it adds get random kernels and expands (the smallest when
     * {@code random} is null), slots it drops go back to 0.
     */
    void setDepth(byte[] genes, int stage, int depthIndex, SplittableRandom random) {
        int before = depth(genes, stage);
        genes[depthGene(stage)] = (byte) depthIndex;
        int after = depths[depthIndex];
        for (int block = before; block < after; block++) {
            genes[kernelGene(stage, block)] = random == null ? 0 : (byte) random.nextInt(kernels.length);
            genes[expandGene(stage, block)] = random == null ? 0 : (byte) random.nextInt(expands.length);
        }
        for (int block = after; block < before; block++) {
            genes[kernelGene(stage, block)] = 0;
            genes[expandGene(stage, block)] = 0;
        }
    }

    /** OFA's uniform sample: resolution, a depth per stage, kernel and expand per active block. */
    Genome random(SplittableRandom random) {
        byte[] genes = new byte[length()];
        genes[resolutionGene()] = (byte) random.nextInt(resolutions.length);
        for (int stage = 0; stage < stages; stage++) {
            genes[depthGene(stage)] = (byte) random.nextInt(depths.length);
            for (int block = 0; block < depth(genes, stage); block++) {
                genes[kernelGene(stage, block)] = (byte) random.nextInt(kernels.length);
                genes[expandGene(stage, block)] = (byte) random.nextInt(expands.length);
            }
        }
        return new Genome(genes);
    }

    /** The smallest choice everywhere, at one resolution. */
    Genome smallest(int resolutionIndex) {
        byte[] genes = new byte[length()];
        genes[resolutionGene()] = (byte) resolutionIndex;
        return new Genome(genes);
    }

    /**
     * Every genome one gene away: another resolution, another depth for one stage (added slots at
     * the smallest choices), another kernel or expand for one active block. The descents of the
     * feasibility check walk these.
     */
    List<Genome> neighbours(Genome genome) {
        List<Genome> neighbours = new ArrayList<>();
        byte[] genes = genome.genes;
        for (int r = 0; r < resolutions.length; r++) {
            if (r != genes[resolutionGene()]) {
                neighbours.add(with(genes, resolutionGene(), r));
            }
        }
        for (int stage = 0; stage < stages; stage++) {
            for (int d = 0; d < depths.length; d++) {
                if (d != genes[depthGene(stage)]) {
                    byte[] copy = genes.clone();
                    setDepth(copy, stage, d, null);
                    neighbours.add(new Genome(copy));
                }
            }
            for (int block = 0; block < depth(genes, stage); block++) {
                for (int k = 0; k < kernels.length; k++) {
                    if (k != genes[kernelGene(stage, block)]) {
                        neighbours.add(with(genes, kernelGene(stage, block), k));
                    }
                }
                for (int e = 0; e < expands.length; e++) {
                    if (e != genes[expandGene(stage, block)]) {
                        neighbours.add(with(genes, expandGene(stage, block), e));
                    }
                }
            }
        }
        return neighbours;
    }

    private static Genome with(byte[] genes, int gene, int value) {
        byte[] copy = genes.clone();
        copy[gene] = (byte) value;
        return new Genome(copy);
    }

    SubnetConfig config(Genome genome) {
        byte[] genes = genome.genes;
        List<Integer> stageDepths = new ArrayList<>(stages);
        List<Integer> blockKernels = new ArrayList<>();
        List<Integer> blockExpands = new ArrayList<>();
        for (int stage = 0; stage < stages; stage++) {
            int depth = depth(genes, stage);
            stageDepths.add(depth);
            for (int block = 0; block < depth; block++) {
                blockKernels.add(kernels[genes[kernelGene(stage, block)]]);
                blockExpands.add(expands[genes[expandGene(stage, block)]]);
            }
        }
        return new SubnetConfig(resolutions[genes[resolutionGene()]], stageDepths, blockKernels, blockExpands);
    }
}
