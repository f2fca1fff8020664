package dev.tailor.search;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Spaces small enough to enumerate, and cheap deterministic stand-ins for the predictor and costs. */
final class Fixtures {

    private Fixtures() {}

    /** 2 stages x depth {1,2} x kernel {3,5,7} x expand {3,6} x 2 resolutions: 3,528 subnets. */
    static final SearchSpace TINY = SearchSpace.fromJson("""
            {"version":1,"name":"tiny","inputChannels":1,"resolutions":[20,28],
             "stem":{"channels":8,"stride":2,"activation":"hswish"},
             "firstBlock":{"channels":8,"kernel":3,"activation":"relu"},
             "stages":[{"width":16,"stride":2,"activation":"relu","se":false},
                       {"width":24,"stride":2,"activation":"hswish","se":true}],
             "kernels":[3,5,7],"depths":[1,2],"expands":[3,6],
             "head":{"finalExpand":32,"featureMix":64},"dropout":0.0}
            """);

    static final SearchSpace FASHION = SearchSpace.named(SearchSpace.FASHION_MNIST);

    /** Every subnet of a space, in a fixed order. */
    static List<SubnetConfig> enumerate(SearchSpace space) {
        List<SubnetConfig> all = new ArrayList<>();
        for (int resolution : space.resolutions()) {
            stages(space, 0, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), resolution, all);
        }
        return all;
    }

    private static void stages(
            SearchSpace space,
            int stage,
            List<Integer> depths,
            List<Integer> kernels,
            List<Integer> expands,
            int resolution,
            List<SubnetConfig> out) {
        if (stage == space.stages().size()) {
            out.add(new SubnetConfig(resolution, depths, kernels, expands));
            return;
        }
        for (int depth : space.depths()) {
            blocks(space, stage, depth, with(depths, depth), kernels, expands, resolution, out);
        }
    }

    private static void blocks(
            SearchSpace space,
            int stage,
            int left,
            List<Integer> depths,
            List<Integer> kernels,
            List<Integer> expands,
            int resolution,
            List<SubnetConfig> out) {
        if (left == 0) {
            stages(space, stage + 1, depths, kernels, expands, resolution, out);
            return;
        }
        for (int kernel : space.kernels()) {
            for (int expand : space.expands()) {
                blocks(space, stage, left - 1, depths, with(kernels, kernel), with(expands, expand), resolution, out);
            }
        }
    }

    private static List<Integer> with(List<Integer> list, int value) {
        List<Integer> copy = new ArrayList<>(list);
        copy.add(value);
        return copy;
    }

    /**
     * A synthetic predictor: accuracy saturating in capacity, where kernels buy more accuracy per
     * MAC than expands (so accuracy is not a function of MACs and fronts are proper subsets), plus
     * +-0.002 of config-seeded noise, like a predictor's.
     */
    static double accuracy(SubnetConfig config) {
        double capacity = 0;
        for (int i = 0; i < config.activeBlocks(); i++) {
            capacity += 1
                    + 0.2 * (config.kernels().get(i) - 3)
                    + 0.5 * Math.log(config.expands().get(i) / 3.0);
        }
        capacity *= config.resolution() / 28.0;
        long h = Objects.hash(config.resolution(), config.depths(), config.kernels(), config.expands())
                * 0x9E3779B97F4A7C15L;
        double noise = ((h ^ (h >>> 29)) & 0xFFFF) / 65535.0 * 0.004 - 0.002;
        return 0.95 - 0.45 * Math.exp(-capacity / 4) + noise;
    }

    /** The synthetic predictor, remembering every batch it was handed. */
    static final class RecordingScorer implements AccuracyScorer {
        final List<List<SubnetConfig>> calls = new ArrayList<>();

        @Override
        public double[] score(List<SubnetConfig> configs) {
            calls.add(List.copyOf(configs));
            return SCORER.score(configs);
        }

        List<SubnetConfig> scored() {
            return calls.stream().flatMap(List::stream).toList();
        }
    }

    static final AccuracyScorer SCORER =
            configs -> configs.stream().mapToDouble(Fixtures::accuracy).toArray();

    /**
     * Cheap analytic costs for timing and for budgets: MACs and params grow with every choice,
     * latency also pays a fixed price per block.
     */
    static final CostModel ANALYTIC = new CostModel() {
        @Override
        public Set<Metric> metrics() {
            return Set.of(Metric.MACS, Metric.PARAMS, Metric.LATENCY_MS);
        }

        @Override
        public double cost(Metric metric, SubnetConfig config) {
            double macs = 0;
            double params = 0;
            for (int i = 0; i < config.activeBlocks(); i++) {
                int k = config.kernels().get(i);
                int e = config.expands().get(i);
                macs += e * (40.0 + k * k);
                params += e * (30.0 + k * k);
            }
            macs *= config.resolution() * config.resolution();
            return switch (metric) {
                case MACS -> macs;
                case PARAMS -> params;
                case LATENCY_MS -> 0.5 + macs / 2e6 + 0.08 * config.activeBlocks();
                case MEMORY_BYTES -> throw new IllegalArgumentException("no memory here");
            };
        }
    };
}
