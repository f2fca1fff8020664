package dev.tailor.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.space.SubnetConfig;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OperatorsTest {

    private final Encoding encoding = new Encoding(Fixtures.FASHION);
    private final SplittableRandom random = new SplittableRandom(11);

    @Test
    void everyGenomeTheOperatorsMakeIsASubnetOfTheSpaceWithDormantSlotsZeroed() {
        Variation variation = new Variation(encoding, 0.3, 0.5);
        Genome a = encoding.random(random);
        Genome b = encoding.random(random);
        Set<SubnetConfig> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            Genome child = i % 2 == 0 ? variation.mutate(a, random) : variation.crossover(a, b, random);
            assertThat(Fixtures.FASHION.violations(encoding.config(child))).isEmpty();
            assertDormantZero(child);
            seen.add(encoding.config(child));
            b = a;
            a = child;
        }
        assertThat(seen).hasSizeGreaterThan(1500);
    }

    @Test
    void equalSubnetsHaveEqualGenomesSoTheCachesCanKeyOnThem() {
        Genome deep = encoding.random(random);
        byte[] genes = deep.genes.clone();
        for (int stage = 0; stage < encoding.stages(); stage++) {
            encoding.setDepth(genes, stage, encoding.depthChoices() - 1, random);
            encoding.setDepth(genes, stage, 0, random);
        }
        Genome shallow = new Genome(genes);
        byte[] direct = deep.genes.clone();
        for (int stage = 0; stage < encoding.stages(); stage++) {
            encoding.setDepth(direct, stage, 0, random);
        }
        assertThat(shallow).isEqualTo(new Genome(direct)).hasSameHashCodeAs(new Genome(direct));
        assertThat(encoding.config(shallow)).isEqualTo(encoding.config(new Genome(direct)));
    }

    @Test
    void crossoverTakesEveryActiveGeneFromAParentThatHasItActive() {
        Variation variation = new Variation(encoding, 0.1, 0.5);
        for (int i = 0; i < 500; i++) {
            Genome a = encoding.random(random);
            Genome b = encoding.random(random);
            Genome child = variation.crossover(a, b, random);
            for (int stage = 0; stage < encoding.stages(); stage++) {
                int depth = encoding.depth(child.genes, stage);
                assertThat(depth).isIn(encoding.depth(a.genes, stage), encoding.depth(b.genes, stage));
                for (int block = 0; block < depth; block++) {
                    for (int gene : new int[] {encoding.kernelGene(stage, block), encoding.expandGene(stage, block)}) {
                        boolean fromA = block < encoding.depth(a.genes, stage) && child.genes[gene] == a.genes[gene];
                        boolean fromB = block < encoding.depth(b.genes, stage) && child.genes[gene] == b.genes[gene];
                        assertThat(fromA || fromB).isTrue();
                    }
                }
            }
        }
    }

    @Test
    void mutationRatesFollowTheirProbabilities() {
        Variation never = new Variation(encoding, 0, 0);
        Genome parent = encoding.random(random);
        assertThat(never.mutate(parent, random)).isEqualTo(parent);

        Variation resolutionOnly = new Variation(encoding, 0, 1);
        int moved = 0;
        for (int i = 0; i < 3000; i++) {
            Genome child = resolutionOnly.mutate(parent, random);
            assertThat(encoding.config(child).depths())
                    .isEqualTo(encoding.config(parent).depths());
            assertThat(encoding.config(child).kernels())
                    .isEqualTo(encoding.config(parent).kernels());
            moved += child.equals(parent) ? 0 : 1;
        }
        // re-drawn every time, landing elsewhere 2 times in 3
        assertThat(moved / 3000.0).isBetween(0.62, 0.71);
    }

    @Test
    void neighboursDifferInOneChoice() {
        Genome genome = encoding.random(random);
        SubnetConfig config = encoding.config(genome);
        for (Genome neighbour : encoding.neighbours(genome)) {
            SubnetConfig other = encoding.config(neighbour);
            assertThat(Fixtures.FASHION.violations(other)).isEmpty();
            assertThat(other).isNotEqualTo(config);
            assertDormantZero(neighbour);
        }
        int blocks = config.activeBlocks();
        // 2 other resolutions, 2 other depths per stage, 2 other kernels and 2 other expands per block
        assertThat(encoding.neighbours(genome)).hasSize(2 + 3 * 2 + blocks * 4);
    }

    private void assertDormantZero(Genome genome) {
        for (int stage = 0; stage < encoding.stages(); stage++) {
            for (int block = encoding.depth(genome.genes, stage); block < Fixtures.FASHION.maxDepth(); block++) {
                assertThat(genome.genes[encoding.kernelGene(stage, block)]).isZero();
                assertThat(genome.genes[encoding.expandGene(stage, block)]).isZero();
            }
        }
    }
}
