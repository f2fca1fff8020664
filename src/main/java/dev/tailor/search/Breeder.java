package dev.tailor.search;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * OFA's constraint handling, rejection, made finite: a child outside the limits is drawn again, at
 * most {@code maxTries} times, and then the (feasible) parent stands in for it. So every individual
 * either search holds is within the limits, and no budget can make a search loop forever.
 */
final class Breeder {

    private final Encoding encoding;
    private final Variation variation;
    private final Evaluator evaluator;
    private final SplittableRandom random;
    private final int maxTries;

    Breeder(Encoding encoding, Variation variation, Evaluator evaluator, SplittableRandom random, int maxTries) {
        this.encoding = encoding;
        this.variation = variation;
        this.evaluator = evaluator;
        this.random = random;
        this.maxTries = maxTries;
    }

    Genome mutant(Genome parent) {
        for (int i = 0; i < maxTries; i++) {
            Genome child = variation.mutate(parent, random);
            if (evaluator.withinLimits(child)) {
                return child;
            }
        }
        return parent;
    }

    Genome crossover(Genome first, Genome second) {
        for (int i = 0; i < maxTries; i++) {
            Genome child = variation.crossover(first, second, random);
            if (evaluator.withinLimits(child)) {
                return child;
            }
        }
        return first;
    }

    /**
     * A first population of {@code size} feasible genomes: distinct ones from {@code seeds} (the
     * feasibility check's feasible finds, random ones first), then distinct random draws (at most
     * {@code size * maxTries}), then mutants of what it has. The last step only matters for budgets
     * so tight that random draws rarely fit; there mutants of the few feasible seeds start the
     * search near the only region that fits.
     *
     * @param seeds feasible genomes, at least one
     */
    List<Genome> initial(List<Genome> seeds, int size) {
        Set<Genome> chosen = new HashSet<>();
        List<Genome> population = new ArrayList<>(size);
        for (Genome seed : seeds) {
            if (population.size() < size && chosen.add(seed)) {
                population.add(seed);
            }
        }
        for (int draw = 0; draw < size * maxTries && population.size() < size; draw++) {
            Genome genome = encoding.random(random);
            if (evaluator.withinLimits(genome) && chosen.add(genome)) {
                population.add(genome);
            }
        }
        while (population.size() < size) {
            population.add(mutant(population.get(random.nextInt(population.size()))));
        }
        return population;
    }
}
