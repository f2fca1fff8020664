package dev.tailor.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.cost.SubnetCosts;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CountedCostsTest {

    @Test
    void matchesSubnetCostsWhetherOrNotMemoryIsAsked() {
        CostModel counted = CostModel.counted(Fixtures.FASHION, 10);
        Random random = new Random(3);
        for (int i = 0; i < 50; i++) {
            SubnetConfig config = Fixtures.FASHION.sample(random);
            SubnetCosts expected = SubnetCosts.of(SubnetPlan.of(Fixtures.FASHION, config, 10));
            assertThat(counted.costs(List.of(Metric.PARAMS, Metric.MACS), config))
                    .containsExactly(expected.params(), expected.macs());
            assertThat(counted.costs(List.of(Metric.MEMORY_BYTES, Metric.MACS), config))
                    .containsExactly(expected.peakActivationBytes(), expected.macs());
            assertThat(counted.cost(Metric.MEMORY_BYTES, config)).isEqualTo(expected.peakActivationBytes());
        }
    }

    @Test
    void latencyJoinsTheCountedMetrics() {
        SubnetConfig config = Fixtures.FASHION.smallest();
        CostModel withLatency = CostModel.counted(Fixtures.FASHION, 10).withLatency(c -> 1.5);
        assertThat(withLatency.metrics())
                .containsExactlyInAnyOrder(Metric.LATENCY_MS, Metric.MACS, Metric.PARAMS, Metric.MEMORY_BYTES);
        double macs =
                SubnetCosts.of(SubnetPlan.of(Fixtures.FASHION, config, 10)).macs();
        assertThat(withLatency.costs(List.of(Metric.LATENCY_MS, Metric.MACS), config))
                .containsExactly(1.5, macs);
        assertThat(withLatency.costs(List.of(Metric.LATENCY_MS), config)).containsExactly(1.5);
    }
}
