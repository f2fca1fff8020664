package dev.tailor.search;

/**
 * Knobs of both searches. {@link #ofa()} holds OFA's evolution defaults (algorithms.md 1.6) and
 * the sizes this package picked for the rest.
 *
 * @param population individuals per generation (OFA and NSGA-II: 100)
 * @param generations generations of the evolution (OFA: 500)
 * @param parentRatio share of the population kept as parents (OFA: 0.25)
 * @param mutationRatio share of the children made by mutation, the rest by crossover (OFA: 0.5)
 * @param mutateProb chance to re-draw each active block's kernel and expand, and each stage's
 *     depth (OFA: 0.1)
 * @param resolutionMutateProb chance to re-draw the resolution (OFA's search: 0.5)
 * @param maxTries draws per individual before rejection gives up and keeps a feasible parent
 * @param probeSamples random configs the feasibility check costs before any search
 * @param frontGenerations generations of NSGA-II
 */
public record SearchParams(
        int population,
        int generations,
        double parentRatio,
        double mutationRatio,
        double mutateProb,
        double resolutionMutateProb,
        int maxTries,
        int probeSamples,
        int frontGenerations) {

    public SearchParams {
        if (population < 2 || generations < 0 || frontGenerations < 0 || maxTries < 1 || probeSamples < 0) {
            throw new IllegalArgumentException("population >= 2, maxTries >= 1, and no negative counts");
        }
        if (!(parentRatio > 0 && parentRatio <= 1 && mutationRatio >= 0 && mutationRatio <= 1)) {
            throw new IllegalArgumentException("parentRatio in (0, 1] and mutationRatio in [0, 1]");
        }
        if (!(mutateProb >= 0 && mutateProb <= 1 && resolutionMutateProb >= 0 && resolutionMutateProb <= 1)) {
            throw new IllegalArgumentException("mutation probabilities lie in [0, 1]");
        }
    }

    public static SearchParams ofa() {
        return new SearchParams(100, 500, 0.25, 0.5, 0.1, 0.5, 50, 2000, 200);
    }

    public int parents() {
        return Math.max(1, (int) Math.round(population * parentRatio));
    }

    public int mutants() {
        return (int) Math.round(population * mutationRatio);
    }
}
