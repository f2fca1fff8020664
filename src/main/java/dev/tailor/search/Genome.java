package dev.tailor.search;

import java.util.Arrays;

/**
 * A subnet as choice indices (layout in {@link Encoding}), the form the operators work on: a few
 * bytes instead of lists of boxed integers. Genes of block slots beyond a stage's depth are always
 * 0, so that equal subnets have equal genomes and the caches can key on them. Never modified after
 * construction.
 */
final class Genome {

    final byte[] genes;
    private final int hash;

    Genome(byte[] genes) {
        this.genes = genes;
        this.hash = Arrays.hashCode(genes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Genome genome && hash == genome.hash && Arrays.equals(genes, genome.genes);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
