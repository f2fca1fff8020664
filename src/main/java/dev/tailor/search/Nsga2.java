package dev.tailor.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * NSGA-II (Deb et al. 2002) on two objectives, predicted accuracy (up) and one cost (down): fast
 * non-dominated sorting, crowding distance, binary tournaments on (rank, crowding), and elitist
 * selection from parents and children together. Children come from the evolution's operators,
 * {@code mutants} mutants and the rest crossovers, through the same bounded rejection, so every
 * individual is within the cost limits. The accuracy floor cannot be checked before scoring, so
 * it is Deb's constrained domination instead: within the floor beats below it, and below it the
 * more accurate wins. Duplicates are dropped before selection, as copies of one point would take
 * the front's places.
 */
final class Nsga2 {

    private final SearchParams params;
    private final Breeder breeder;
    private final Evaluator evaluator;
    private final Metric metric;
    private final double minAccuracy;
    private final SplittableRandom random;

    /** A population with each member's front index (0 = non-dominated) and crowding distance. */
    private record Ranked(List<Genome> members, int[] rank, double[] crowding) {}

    Nsga2(
            SearchParams params,
            Breeder breeder,
            Evaluator evaluator,
            Metric metric,
            double minAccuracy,
            SplittableRandom random) {
        this.params = params;
        this.breeder = breeder;
        this.evaluator = evaluator;
        this.metric = metric;
        this.minAccuracy = minAccuracy;
        this.random = random;
    }

    /** The final first front's points that meet the accuracy floor, cheapest first. */
    List<Genome> run(List<Genome> initial) {
        evaluator.score(initial);
        Ranked population = select(new ArrayList<>(new LinkedHashSet<>(initial)), params.population());
        for (int generation = 0; generation < params.frontGenerations(); generation++) {
            List<Genome> pool = new ArrayList<>(population.members());
            List<Genome> children = new ArrayList<>(params.population());
            for (int i = 0; i < params.population(); i++) {
                children.add(
                        i < params.mutants()
                                ? breeder.mutant(tournament(population))
                                : breeder.crossover(tournament(population), tournament(population)));
            }
            evaluator.score(children);
            pool.addAll(children);
            population = select(new ArrayList<>(new LinkedHashSet<>(pool)), params.population());
        }
        List<Genome> front = new ArrayList<>();
        for (int i = 0; i < population.members().size(); i++) {
            Genome genome = population.members().get(i);
            if (population.rank()[i] == 0 && evaluator.accuracy(genome) >= minAccuracy) {
                front.add(genome);
            }
        }
        front.sort(Comparator.<Genome>comparingDouble(g -> evaluator.cost(g, metric))
                .thenComparing(
                        Comparator.<Genome>comparingDouble(evaluator::accuracy).reversed()));
        return front;
    }

    private Genome tournament(Ranked population) {
        int a = random.nextInt(population.members().size());
        int b = random.nextInt(population.members().size());
        boolean bWins = population.rank()[b] < population.rank()[a]
                || (population.rank()[b] == population.rank()[a]
                        && population.crowding()[b] > population.crowding()[a]);
        return population.members().get(bWins ? b : a);
    }

    /** Whole fronts while they fit, then the least crowded of the front that does not. */
    private Ranked select(List<Genome> pool, int size) {
        int n = pool.size();
        double[] accuracy = new double[n];
        double[] cost = new double[n];
        for (int i = 0; i < n; i++) {
            accuracy[i] = evaluator.accuracy(pool.get(i));
            cost[i] = evaluator.cost(pool.get(i), metric);
        }
        int kept = Math.min(size, n);
        List<Genome> members = new ArrayList<>(kept);
        int[] rank = new int[kept];
        double[] crowding = new double[kept];
        List<int[]> fronts = sort(accuracy, cost);
        for (int f = 0; f < fronts.size() && members.size() < kept; f++) {
            int[] front = fronts.get(f);
            double[] distance = crowding(front, accuracy, cost);
            Integer[] order = new Integer[front.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            if (members.size() + front.length > kept) {
                Arrays.sort(order, (x, y) -> Double.compare(distance[y], distance[x]));
            }
            for (int i = 0; i < order.length && members.size() < kept; i++) {
                rank[members.size()] = f;
                crowding[members.size()] = distance[order[i]];
                members.add(pool.get(front[order[i]]));
            }
        }
        return new Ranked(members, rank, crowding);
    }

    private double shortfall(double accuracy) {
        return Math.max(0, minAccuracy - accuracy);
    }

    /** Deb's constrained domination of point i over point j. */
    private boolean dominates(int i, int j, double[] accuracy, double[] cost) {
        double si = shortfall(accuracy[i]);
        double sj = shortfall(accuracy[j]);
        if (si != sj) {
            return si < sj;
        }
        return accuracy[i] >= accuracy[j] && cost[i] <= cost[j] && (accuracy[i] > accuracy[j] || cost[i] < cost[j]);
    }

    /** Fast non-dominated sort: indices front by front, each in pool order. */
    private List<int[]> sort(double[] accuracy, double[] cost) {
        int n = accuracy.length;
        int[] dominators = new int[n];
        int[] dominated = new int[n * n]; // row i: the points i dominates
        int[] count = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j && dominates(i, j, accuracy, cost)) {
                    dominated[i * n + count[i]++] = j;
                } else if (i != j && dominates(j, i, accuracy, cost)) {
                    dominators[i]++;
                }
            }
        }
        List<int[]> fronts = new ArrayList<>();
        int[] current = IntStream.range(0, n).filter(i -> dominators[i] == 0).toArray();
        while (current.length > 0) {
            fronts.add(current);
            int[] next = new int[n];
            int size = 0;
            for (int i : current) {
                for (int k = 0; k < count[i]; k++) {
                    int j = dominated[i * n + k];
                    if (--dominators[j] == 0) {
                        next[size++] = j;
                    }
                }
            }
            current = Arrays.copyOf(next, size);
            Arrays.sort(current);
        }
        return fronts;
    }

    /** Crowding distance within one front: infinite at each objective's ends. */
    private static double[] crowding(int[] front, double[] accuracy, double[] cost) {
        double[] distance = new double[front.length];
        for (double[] objective : new double[][] {accuracy, cost}) {
            Integer[] order = new Integer[front.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingDouble(i -> objective[front[i]]));
            double range = objective[front[order[order.length - 1]]] - objective[front[order[0]]];
            distance[order[0]] = Double.POSITIVE_INFINITY;
            distance[order[order.length - 1]] = Double.POSITIVE_INFINITY;
            for (int i = 1; i < order.length - 1 && range > 0; i++) {
                distance[order[i]] += (objective[front[order[i + 1]]] - objective[front[order[i - 1]]]) / range;
            }
        }
        return distance;
    }
}
