package dev.tailor.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeldOutPairsTest {

    private static HeldOutPairs.Pair pair(double predicted, double measured) {
        return new HeldOutPairs.Pair(predicted, measured);
    }

    /** Small subnets run 10 % slower than predicted, large ones 1 % faster: a mean error hides the small end. */
    private static final HeldOutPairs PAIRS = new HeldOutPairs(List.of(
            pair(0.06, 0.066),
            pair(0.07, 0.077),
            pair(0.08, 0.088),
            pair(0.20, 0.198),
            pair(0.22, 0.2178),
            pair(0.24, 0.2376)));

    @Test
    void theErrorNearALatencyIsTakenOverTheHeldOutSubnetsPredictedNearestIt() {
        HeldOutPairs.Near small = PAIRS.near(0.07, 3).orElseThrow();
        assertThat(small.count()).isEqualTo(3);
        assertThat(small.fromMs()).isEqualTo(0.06);
        assertThat(small.toMs()).isEqualTo(0.08);
        // |p - m| / m = 0.1 / 1.1 for each; measured over predicted 1.1
        assertThat(small.mape()).isCloseTo(0.1 / 1.1, offset(1e-12));
        assertThat(small.worst()).isCloseTo(0.1 / 1.1, offset(1e-12));
        assertThat(small.bias()).isCloseTo(0.1, offset(1e-12));

        HeldOutPairs.Near large = PAIRS.near(0.23, 3).orElseThrow();
        assertThat(large.fromMs()).isEqualTo(0.20);
        assertThat(large.toMs()).isEqualTo(0.24);
        assertThat(large.bias()).isCloseTo(-0.01, offset(1e-12));
        assertThat(large.mape()).isCloseTo(0.01 / 0.99, offset(1e-12));
    }

    @Test
    void nearnessIsByRatioNotByMilliseconds() {
        // 0.12 ms is 0.04 ms from 0.08 and from 0.16, but twice 0.06 and 0.75 of 0.16
        HeldOutPairs pairs = new HeldOutPairs(List.of(pair(0.08, 0.08), pair(0.16, 0.2)));
        assertThat(pairs.near(0.12, 1).orElseThrow().toMs()).isEqualTo(0.16);
        assertThat(pairs.near(0.11, 1).orElseThrow().toMs()).isEqualTo(0.08);
    }

    @Test
    void fewerPairsThanAskedGiveAllOfThemAndNoneGiveNothing() {
        HeldOutPairs.Near all = PAIRS.near(0.1, 10).orElseThrow();
        assertThat(all.count()).isEqualTo(6);
        assertThat(all.fromMs()).isEqualTo(0.06);
        assertThat(all.toMs()).isEqualTo(0.24);
        assertThat(all.worst()).isCloseTo(0.1 / 1.1, offset(1e-12));
        assertThat(HeldOutPairs.NONE.near(0.1, 10)).isEmpty();
    }

    @Test
    void nonPhysicalFiguresAreRefused() {
        assertThatThrownBy(() -> pair(0, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pair(0.1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pair(Double.POSITIVE_INFINITY, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PAIRS.near(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PAIRS.near(0.1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aModelsPairsAreItsOwnPredictionsOfTheHeldOutSubnetsAndTheServedModelLooksThemUpByItsPrediction() {
        SearchSpace space = SearchSpace.named(SearchSpace.FASHION_MNIST);
        Map<String, Double> table = new HashMap<>();
        for (SubnetPlan plan : SubnetLayers.uniformPlans(space, 10)) {
            SubnetLayers.of(plan)
                    .forEach(layer -> table.put(layer.key(), 0.01 + (layer.key().length() % 7) * 1e-3));
        }
        LatencyModel model = LatencyModel.of(table, 0.9, -0.001, 0.02);
        Random random = new Random(3);
        List<LatencyModel.Measured> heldOut = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            SubnetPlan plan = SubnetPlan.of(space, space.sample(random), 10);
            heldOut.add(new LatencyModel.Measured(plan, 1.05 * model.predict(plan)));
        }
        HeldOutPairs pairs = HeldOutPairs.of(model, heldOut);
        assertThat(pairs.pairs()).hasSize(30);
        for (int i = 0; i < 30; i++) {
            assertThat(pairs.pairs().get(i).predictedMs())
                    .isCloseTo(model.predict(heldOut.get(i).plan()), offset(1e-12));
            assertThat(pairs.pairs().get(i).measuredMs())
                    .isEqualTo(heldOut.get(i).millis());
        }

        DeviceLatencyModel served = DeviceLatencyModel.predicted(
                        space, 10, model, model.accuracyOn(heldOut), pairs, "latency model", "test")
                .orElseThrow();
        SubnetConfig smallest = space.smallest();
        HeldOutPairs.Near near = served.errorNear(smallest).orElseThrow();
        assertThat(near)
                .isEqualTo(pairs.near(served.millis(smallest), HeldOutPairs.NEAREST)
                        .orElseThrow());
        assertThat(near.count()).isEqualTo(HeldOutPairs.NEAREST);
        assertThat(near.bias()).isCloseTo(0.05, offset(1e-9));

        assertThat(DeviceLatencyModel.predicted(
                                space, 10, model, model.accuracyOn(heldOut), HeldOutPairs.NONE, "latency model", "test")
                        .orElseThrow()
                        .errorNear(smallest))
                .isEmpty();
        assertThat(DeviceLatencyModel.roofline(space, 10, 10, 5).errorNear(smallest))
                .isEmpty();
    }
}
