package dev.tailor.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * OFA's evolutionary search (algorithms.md 1.6): each generation keeps the best {@code parents}
 * of the pool, breeds {@code mutants} mutants and the rest of {@code population} crossovers from
 * parents drawn uniformly, scores the children in one call, and pools them with the parents, so
 * that the best found never leaves (elitism). One deviation: a config already among the parents
 * is skipped when picking them, since copies only re-weight the draws and, as rejection falls back
 * to parents, would soon crowd out the others.
 */
final class Evolution {

    private final SearchParams params;
    private final Breeder breeder;
    private final Evaluator evaluator;
    private final SplittableRandom random;

    Evolution(SearchParams params, Breeder breeder, Evaluator evaluator, SplittableRandom random) {
        this.params = params;
        this.breeder = breeder;
        this.evaluator = evaluator;
        this.random = random;
    }

    /** Runs every generation from {@code initial}; the best of the last pool. */
    Genome run(List<Genome> initial, Comparator<Genome> ranking) {
        evaluator.score(initial);
        List<Genome> pool = initial;
        int children = params.population();
        for (int generation = 0; generation < params.generations(); generation++) {
            List<Genome> parents = best(pool, params.parents(), ranking);
            List<Genome> next = new ArrayList<>(parents.size() + children);
            next.addAll(parents);
            for (int i = 0; i < params.mutants(); i++) {
                next.add(breeder.mutant(pick(parents)));
            }
            for (int i = params.mutants(); i < children; i++) {
                next.add(breeder.crossover(pick(parents), pick(parents)));
            }
            evaluator.score(next.subList(parents.size(), next.size()));
            pool = next;
        }
        return best(pool, 1, ranking).get(0);
    }

    private Genome pick(List<Genome> parents) {
        return parents.get(random.nextInt(parents.size()));
    }

    /** Up to {@code count} distinct genomes, best first; the sort is stable, so ties keep pool order. */
    private static List<Genome> best(List<Genome> pool, int count, Comparator<Genome> ranking) {
        List<Genome> sorted = new ArrayList<>(pool);
        sorted.sort(ranking);
        Set<Genome> seen = new HashSet<>();
        List<Genome> best = new ArrayList<>(count);
        for (Genome genome : sorted) {
            if (best.size() == count) {
                break;
            }
            if (seen.add(genome)) {
                best.add(genome);
            }
        }
        return best;
    }
}
