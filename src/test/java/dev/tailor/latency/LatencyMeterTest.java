package dev.tailor.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDManager;
import dev.tailor.onnx.ExportMetadata;
import dev.tailor.onnx.OnnxExport;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.supernet.StaticSubnet;
import dev.tailor.supernet.Supernet;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyMeterTest {

    @Test
    void statisticsAreNearestRankPercentilesMeanAndPopulationDeviation() {
        double[] millis = {5, 1, 4, 2, 3, 10, 6, 7, 9, 8};
        LatencyStats stats = LatencyMeter.stats(millis, 2, 1, 28, "onnxruntime x");
        assertThat(stats.p50Ms()).isEqualTo(5);
        assertThat(stats.p90Ms()).isEqualTo(9);
        assertThat(stats.meanMs()).isEqualTo(5.5);
        assertThat(stats.stdMs()).isCloseTo(Math.sqrt(8.25), offset(1e-12));
        assertThat(stats.runs()).isEqualTo(10);
        assertThat(stats.timing().source()).hasToString("MEASURED");
    }

    @Test
    void aRoundTheHostSlowedStandsOutInTheRoundsSpread() {
        // three rounds of four runs: the second was slowed
        double[] runs = {0.10, 0.11, 0.10, 0.12, 0.19, 0.18, 0.20, 0.10, 0.11, 0.10, 0.12, 0.11};
        assertThat(LatencyMeter.roundSpread(runs, 3)).containsExactly(0.10, 0.18);
        assertThat(LatencyMeter.roundSpread(runs, 1)).containsExactly(0.11, 0.11);
    }

    @Test
    void anExportedSubnetIsTimedWithItsSettingsRecorded() {
        SearchSpace space = SearchSpace.named(SearchSpace.FASHION_MNIST);
        SubnetConfig config = space.smallest();
        byte[] model;
        try (NDManager manager = NDManager.newBaseManager();
                StaticSubnet subnet = StaticSubnet.extract(Supernet.create(space, 10, manager), config, manager)) {
            model = OnnxExport.builder()
                    .setSubnet(subnet)
                    .setMetadata(new ExportMetadata(
                            "s",
                            config.canonicalJson(),
                            config.sha256(),
                            "d",
                            new float[] {0},
                            new float[] {1},
                            List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"),
                            null,
                            null,
                            1))
                    .build()
                    .toBytes();
        }
        LatencyStats stats = LatencyMeter.builder()
                .optWarmupRuns(3)
                .optTimedRuns(20)
                .optBatchSize(4)
                .build()
                .measure(model);
        assertThat(stats.runs()).isEqualTo(20);
        assertThat(stats.threads()).isEqualTo(1);
        assertThat(stats.batchSize()).isEqualTo(4);
        assertThat(stats.resolution()).isEqualTo(config.resolution());
        assertThat(stats.p50Ms()).isPositive().isLessThanOrEqualTo(stats.p90Ms());
        assertThat(stats.runtimeVersion()).startsWith("onnxruntime 1.");
        assertThatThrownBy(() -> LatencyMeter.builder().optTimedRuns(0).build())
                .isInstanceOf(IllegalArgumentException.class);

        List<LatencyStats> interleaved = LatencyMeter.builder()
                .optWarmupRuns(2)
                .optTimedRuns(12)
                .build()
                .measureInterleaved(List.of(model, model, model), 3);
        assertThat(interleaved).hasSize(3).allSatisfy(each -> {
            assertThat(each.runs()).isEqualTo(12);
            assertThat(each.batchSize()).isEqualTo(1);
            assertThat(each.resolution()).isEqualTo(config.resolution());
            assertThat(each.p50Ms()).isPositive().isLessThanOrEqualTo(each.p90Ms());
        });

        // steady: 20 runs in 5 rounds, 40 ms apart, so at least 4 pauses lie between the first and the last
        long started = System.nanoTime();
        LatencyMeter.Steady steady = LatencyMeter.builder()
                .optWarmupRuns(0)
                .optTimedRuns(20)
                .optRoundPause(40)
                .build()
                .measureSteady(model, 5, 3, 1.25);
        assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(160);
        assertThat(steady.stats().runs()).isEqualTo(20);
        assertThat(steady.attempts()).isBetween(1, 3);
        assertThat(steady.fastestRound()).isPositive().isLessThanOrEqualTo(steady.slowestRound());
        assertThatThrownBy(() -> LatencyMeter.builder().optRoundPause(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pause");
        assertThatThrownBy(() -> LatencyMeter.builder().build().measureSteady(model, 5, 0, 1.25))
                .isInstanceOf(IllegalArgumentException.class);
        double[][] rounds = LatencyMeter.builder()
                .optWarmupRuns(1)
                .optTimedRuns(8)
                .build()
                .measureRoundMedians(List.of(model, model), 4);
        assertThat(rounds).hasNumberOfRows(4);
        for (double[] round : rounds) {
            assertThat(round).hasSize(2);
            assertThat(round[0]).isPositive();
            assertThat(round[1]).isPositive();
        }
    }

    @Test
    void aSubnetThatTakesTheDatasetsSizeIsTimedAtItWithItsResize() {
        SearchSpace space = SearchSpace.named(SearchSpace.FASHION_MNIST);
        SubnetConfig config = space.smallest();
        byte[] model;
        try (NDManager manager = NDManager.newBaseManager();
                StaticSubnet subnet = StaticSubnet.extract(Supernet.create(space, 10, manager), config, manager)) {
            model = OnnxExport.builder()
                    .setSubnet(subnet)
                    .setInputSize(28)
                    .setMetadata(new ExportMetadata(
                            "s",
                            config.canonicalJson(),
                            config.sha256(),
                            "d",
                            new float[] {0},
                            new float[] {1},
                            List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"),
                            null,
                            null,
                            1))
                    .build()
                    .toBytes();
        }
        // ONNX Runtime refuses any input but N x 1 x 28 x 28, so these runs went through the Resize
        LatencyMeter meter =
                LatencyMeter.builder().optWarmupRuns(1).optTimedRuns(3).build();
        assertThat(meter.measure(model).resolution())
                .as("the catalogue records the subnet's resolution, not its input's")
                .isEqualTo(20);
        assertThat(meter.measureInterleaved(List.of(model), 1).get(0).resolution())
                .isEqualTo(20);
    }
}
