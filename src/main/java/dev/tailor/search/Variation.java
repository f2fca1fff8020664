package dev.tailor.search;

import java.util.SplittableRandom;

/**
 * OFA's mutation and crossover (algorithms.md 1.6) on genomes. Both only copy and rewrite one
 * small byte array.
 */
final class Variation {

    private final Encoding encoding;
    private final double mutateProb;
    private final double resolutionMutateProb;

    Variation(Encoding encoding, double mutateProb, double resolutionMutateProb) {
        this.encoding = encoding;
        this.mutateProb = mutateProb;
        this.resolutionMutateProb = resolutionMutateProb;
    }

    /**
     * Re-draws the resolution with {@code resolutionMutateProb}, each stage's depth with {@code
     * mutateProb} (blocks a deeper stage gains are drawn at random, as OFA's dormant slots hold
     * random choices), then each active block's kernel and expand together with {@code mutateProb}.
     * A re-draw may land on the same choice, as in OFA.
     */
    Genome mutate(Genome parent, SplittableRandom random) {
        byte[] genes = parent.genes.clone();
        if (random.nextDouble() < resolutionMutateProb) {
            genes[Encoding.resolutionGene()] = (byte) random.nextInt(encoding.resolutionChoices());
        }
        for (int stage = 0; stage < encoding.stages(); stage++) {
            if (random.nextDouble() < mutateProb) {
                encoding.setDepth(genes, stage, random.nextInt(encoding.depthChoices()), random);
            }
        }
        for (int stage = 0; stage < encoding.stages(); stage++) {
            for (int block = 0; block < encoding.depth(genes, stage); block++) {
                if (random.nextDouble() < mutateProb) {
                    genes[encoding.kernelGene(stage, block)] = (byte) random.nextInt(encoding.kernelChoices());
                    genes[encoding.expandGene(stage, block)] = (byte) random.nextInt(encoding.expandChoices());
                }
            }
        }
        return new Genome(genes);
    }

    /**
     * Uniform crossover, gene by gene: resolution, each stage's depth, then each active slot's
     * kernel and expand independently. A slot beyond one parent's depth comes from the other parent
     * (never from the first's dormant zeros); no slot is beyond both, as the child's depth is one of
     * theirs. So every gene the child has is one a parent really used.
     */
    Genome crossover(Genome first, Genome second, SplittableRandom random) {
        byte[] a = first.genes;
        byte[] b = second.genes;
        byte[] genes = new byte[a.length];
        int resolution = Encoding.resolutionGene();
        genes[resolution] = random.nextBoolean() ? a[resolution] : b[resolution];
        for (int stage = 0; stage < encoding.stages(); stage++) {
            int depthGene = encoding.depthGene(stage);
            genes[depthGene] = random.nextBoolean() ? a[depthGene] : b[depthGene];
            int depthA = encoding.depth(a, stage);
            int depthB = encoding.depth(b, stage);
            for (int block = 0; block < encoding.depth(genes, stage); block++) {
                int kernel = encoding.kernelGene(stage, block);
                int expand = encoding.expandGene(stage, block);
                byte[] only = block >= depthA ? b : block >= depthB ? a : null;
                genes[kernel] = only != null ? only[kernel] : random.nextBoolean() ? a[kernel] : b[kernel];
                genes[expand] = only != null ? only[expand] : random.nextBoolean() ? a[expand] : b[expand];
            }
        }
        return new Genome(genes);
    }
}
