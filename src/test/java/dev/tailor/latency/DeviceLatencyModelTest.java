package dev.tailor.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.tailor.catalogue.LatencySource;
import dev.tailor.cost.SubnetCosts;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeviceLatencyModelTest {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);

    /** A made-up table of every layer of the space: 10 us plus 0.1 ns a MAC, as a CPU might take. */
    private static Map<String, Double> table(SearchSpace space) {
        Map<String, Double> table = new HashMap<>();
        for (SubnetPlan plan : SubnetLayers.uniformPlans(space, 10)) {
            List<SubnetLayers.Layer> layers = SubnetLayers.of(plan);
            List<SubnetCosts.LayerCost> costs = SubnetCosts.layers(plan);
            for (int i = 0; i < layers.size(); i++) {
                table.put(layers.get(i).key(), 0.01 + costs.get(i).macs() * 1e-7);
            }
        }
        return table;
    }

    private static final PredictionAccuracy ERROR = new PredictionAccuracy(40, 0.03, 0.01, 0.9, 0.975);

    @Test
    void theLookupPredictsWhatTheModelPredictsPlanByPlan() {
        LatencyModel model = LatencyModel.of(table(SPACE), 0.9, -0.004, 0.01);
        DeviceLatencyModel served = DeviceLatencyModel.predicted(
                        SPACE, 10, model, ERROR, HeldOutPairs.NONE, "latency model", "test")
                .orElseThrow();
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            SubnetConfig config = SPACE.sample(random);
            assertThat(served.millis(config))
                    .as(config.canonicalJson())
                    .isCloseTo(model.predict(SubnetPlan.of(SPACE, config, 10)), offset(1e-9));
        }
        assertThat(served.millis(SPACE.largest()))
                .isCloseTo(model.predict(SubnetPlan.of(SPACE, SPACE.largest(), 10)), offset(1e-9));
        assertThat(served.source()).isEqualTo(LatencySource.PREDICTED);
        assertThat(served.expectedError()).contains(ERROR);
        assertThat(served.lowerBound()).isFalse();
    }

    @Test
    void theLeastOverTheSpaceIsTheLeastOfEveryConfig() {
        SearchSpace tiny = TinySpaces.withUnit(8);
        Map<String, Double> table = table(tiny);
        SpaceLookup lookup = SpaceLookup.of(
                        tiny,
                        10,
                        plan -> SubnetLayers.of(plan).stream()
                                .mapToDouble(layer -> table.get(layer.key()))
                                .toArray())
                .orElseThrow();
        for (double[] coefficients : new double[][] {{1, 0}, {0.8, -0.015}, {-0.5, 0.01}}) {
            double least = Double.POSITIVE_INFINITY;
            for (SubnetConfig config : every(tiny)) {
                List<SubnetLayers.Layer> layers = SubnetLayers.of(SubnetPlan.of(tiny, config, 10));
                double sum = 0;
                for (SubnetLayers.Layer layer : layers) {
                    sum += coefficients[0] * table.get(layer.key()) + coefficients[1];
                }
                least = Math.min(least, sum);
                assertThat(lookup.layers(config)).isEqualTo(layers.size());
            }
            assertThat(lookup.least(coefficients[0], coefficients[1])).isCloseTo(least, offset(1e-12));
        }
    }

    /** All 72 configs of a tiny space. */
    private static List<SubnetConfig> every(SearchSpace space) {
        List<SubnetConfig> configs = new ArrayList<>();
        for (int resolution : space.resolutions()) {
            for (int first : space.depths()) {
                for (int second : space.depths()) {
                    int blocks = first + second;
                    for (int kernels = 0; kernels < 1 << blocks; kernels++) {
                        List<Integer> k = new ArrayList<>();
                        for (int b = 0; b < blocks; b++) {
                            k.add(space.kernels().get((kernels >> b) & 1));
                        }
                        configs.add(new SubnetConfig(
                                resolution, List.of(first, second), k, java.util.Collections.nCopies(blocks, 3)));
                    }
                }
            }
        }
        assertThat(configs).hasSize(72).doesNotHaveDuplicates();
        return configs;
    }

    @Test
    void aModelPredictingANonPhysicalLatencyAnywhereInTheSpaceIsNotServed() {
        Map<String, Double> table = table(SPACE);
        // at or below zero for the smallest subnets
        assertThat(DeviceLatencyModel.predicted(
                        SPACE, 10, LatencyModel.of(table, 1, 0, -0.5), ERROR, HeldOutPairs.NONE, "m", "b"))
                .isEmpty();
        // positive, but under a tenth of what the table sums the smallest subnet to
        assertThat(DeviceLatencyModel.servable(SPACE, 10, LatencyModel.of(table, 0.05, 0, 0)))
                .isFalse();
        // fine for the smallest subnet, negative for large ones: the check covers the whole space
        LatencyModel sums = LatencyModel.of(table, 1, 0, 0);
        double smallest = sums.predict(SubnetPlan.of(SPACE, SPACE.smallest(), 10));
        double largest = sums.predict(SubnetPlan.of(SPACE, SPACE.largest(), 10));
        LatencyModel inverted = LatencyModel.of(table, -1, 0, (smallest + largest) / 2);
        assertThat(inverted.predict(SubnetPlan.of(SPACE, SPACE.smallest(), 10))).isGreaterThan(0.1 * smallest);
        assertThat(inverted.predict(SubnetPlan.of(SPACE, SPACE.largest(), 10))).isNegative();
        assertThat(DeviceLatencyModel.servable(SPACE, 10, inverted)).isFalse();
        assertThat(DeviceLatencyModel.servable(SPACE, 10, LatencyModel.of(table, 1, -0.005, 0)))
                .isTrue();
        // a table that lacks a layer of the space cannot answer for every config
        Map<String, Double> partial = new HashMap<>(table);
        partial.remove(partial.keySet().iterator().next());
        assertThat(DeviceLatencyModel.servable(SPACE, 10, LatencyModel.of(partial, 1, 0, 0)))
                .isFalse();
    }

    @Test
    void theRooflineIsAnEstimateAndALowerBoundWithoutAnErrorFigure() {
        DeviceLatencyModel roofline = DeviceLatencyModel.roofline(SPACE, 10, 235.9, 25.6);
        assertThat(roofline.source()).isEqualTo(LatencySource.ESTIMATED);
        assertThat(roofline.lowerBound()).isTrue();
        assertThat(roofline.expectedError()).isEmpty();
        assertThat(roofline.basis()).contains("lower bound");
        Random random = new Random(3);
        for (int i = 0; i < 50; i++) {
            SubnetConfig config = SPACE.sample(random);
            assertThat(roofline.millis(config))
                    .isCloseTo(Roofline.millis(SubnetPlan.of(SPACE, config, 10), 235.9, 25.6), offset(1e-12))
                    .isPositive();
        }
    }

    /**
     * A device's stored answers are keyed by a revision that moves when this fingerprint does. A layer
     * timed again (an agent after a firmware update) changes the fitted model but not how many subnets it
     * was fitted and scored on, which was all the fingerprint held: answers picked with the old figures
     * stayed, and could exceed the budget they were asked for.
     */
    @Test
    void theFingerprintMovesWithTheTableAndTheCoefficientsNotOnlyWithHowTheModelWasMade() {
        Map<String, Double> table = table(SPACE);
        String basis = "fitted on 30 of its measured subnets and scored on the other 20";
        String fingerprint = DeviceLatencyModel.predicted(
                        SPACE, 10, LatencyModel.of(table, 0.9, 0, 0.01), ERROR, HeldOutPairs.NONE, "m", basis)
                .orElseThrow()
                .fingerprint();
        assertThat(DeviceLatencyModel.predicted(
                                SPACE,
                                10,
                                LatencyModel.of(new HashMap<>(table), 0.9, 0, 0.01),
                                ERROR,
                                HeldOutPairs.NONE,
                                "m",
                                basis)
                        .orElseThrow()
                        .fingerprint())
                .as("the same model")
                .isEqualTo(fingerprint);
        Map<String, Double> retimed = new HashMap<>(table);
        retimed.replaceAll((key, millis) -> millis * 1.5);
        assertThat(DeviceLatencyModel.predicted(
                                SPACE, 10, LatencyModel.of(retimed, 0.9, 0, 0.01), ERROR, HeldOutPairs.NONE, "m", basis)
                        .orElseThrow()
                        .fingerprint())
                .as("every layer timed again, slower")
                .isNotEqualTo(fingerprint);
        assertThat(DeviceLatencyModel.predicted(
                                SPACE, 10, LatencyModel.of(table, 1.1, 0, 0.01), ERROR, HeldOutPairs.NONE, "m", basis)
                        .orElseThrow()
                        .fingerprint())
                .as("a subnet timed again moves the correction")
                .isNotEqualTo(fingerprint);
        assertThat(DeviceLatencyModel.roofline(SPACE, 10, 235.9, 25.6).fingerprint())
                .isEqualTo(DeviceLatencyModel.roofline(SPACE, 10, 235.9, 25.6).fingerprint())
                .isNotEqualTo(DeviceLatencyModel.roofline(SPACE, 10, 400, 25.6).fingerprint());
    }
}
