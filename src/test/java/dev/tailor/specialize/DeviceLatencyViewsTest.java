package dev.tailor.specialize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.ExecutionProvider;
import dev.tailor.catalogue.LatencySource;
import dev.tailor.catalogue.Measurement;
import dev.tailor.latency.DeviceLatencies;
import dev.tailor.latency.DeviceLatencyModel;
import dev.tailor.latency.HeldOutPairs;
import dev.tailor.latency.HostSpeedCheck;
import dev.tailor.latency.PredictionAccuracy;
import dev.tailor.space.SearchSpace;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which processes check host-cpu's speed before a latency search, and what the search then sees. */
class DeviceLatencyViewsTest {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);

    private final DeviceLatencies latencies = mock(DeviceLatencies.class);
    private final DeviceLatencyModel model = mock(DeviceLatencyModel.class);
    private final HostSpeedCheck check = mock(HostSpeedCheck.class);

    DeviceLatencyViewsTest() {
        when(model.source()).thenReturn(LatencySource.PREDICTED);
        when(model.millis(any())).thenReturn(0.1);
        when(model.expectedError()).thenReturn(Optional.of(new PredictionAccuracy(40, 0.024, 0.003, 0.95, 1.0)));
        when(model.basis()).thenReturn("made up");
        when(latencies.modelFor(any(), any(), anyInt())).thenReturn(Optional.of(model));
        when(check.check(any(), anyInt(), any()))
                .thenReturn(new HostSpeedCheck.Result(1.5, 6, 1.4, 1.7, true, 0.03, 0, 0, 1.9));
        when(check.variation(any(), anyInt(), any())).thenReturn(new HostSpeedCheck.Variation(8.0, 12, 1, 11, 1.7));
    }

    private static Device device(String name) {
        return new Device(name, "", "onnxruntime", ExecutionProvider.CPU, null, null, Measurement.HOST);
    }

    @Test
    void aProcessThatTimesExportsChecksHostCpuAndSearchesOnTheScaledModel() {
        for (DeviceLatencyViews views : new DeviceLatencyViews[] {
            new DeviceLatencyViews(latencies, check, true, "queued"),
            new DeviceLatencyViews(latencies, check, false, "inline")
        }) {
            LatencyView view =
                    views.forLatencySearch(device("host-cpu"), SPACE, 10).orElseThrow();
            assertThat(view.speedCheck()).isNotNull();
            assertThat(view.speedCheck().applied()).isTrue();
            // the check read a slow episode and took the host's usual speed instead: the answer says so
            assertThat(view.speedCheck().slowEpisodeRatio()).isEqualTo(1.9);
            assertThat(view.millis().applyAsDouble(SPACE.smallest())).isCloseTo(0.15, offset(1e-12));
            // the stated error: the model's, and the host's variation with it
            assertThat(view.error().mapePercent()).isCloseTo(2.4, offset(1e-9));
            SpecializationResponse.HostVariation host = view.error().hostVariation();
            assertThat(host.percent()).isEqualTo(8.0);
            assertThat(host.timings()).isEqualTo(12);
            assertThat(host.slowEpisodes()).isEqualTo(1);
            assertThat(host.slowEpisodeFactor()).isEqualTo(1.7);
            assertThat(host.minutes()).isEqualTo(11);
            assertThat(host.withModelPercent()).isCloseTo(100 * (1.024 * 1.08 - 1), offset(1e-9));
        }
        verify(check, times(2)).check(any(), anyInt(), any());
    }

    @Test
    void aPickStatesTheModelsErrorNearItAndTheHostsVariationCombinesWithTheLargerOfTheTwo() {
        DeviceLatencyViews views = new DeviceLatencyViews(latencies, check, true, "queued");
        // near the smallest subnets the model errs by 5 % on average, more than its 2.4 % overall
        when(model.errorNear(SPACE.smallest()))
                .thenReturn(Optional.of(new HeldOutPairs.Near(10, 0.06, 0.08, 0.05, 0.045, 0.09)));
        when(model.errorNear(SPACE.largest()))
                .thenReturn(Optional.of(new HeldOutPairs.Near(10, 0.2, 0.25, 0.01, -0.005, 0.03)));
        LatencyView view = views.forLatencySearch(device("host-cpu"), SPACE, 10).orElseThrow();

        SpecializationResponse.ExpectedError small = view.errorFor(SPACE.smallest());
        assertThat(small.mapePercent()).isCloseTo(2.4, offset(1e-9));
        SpecializationResponse.NearPick near = small.nearPick();
        assertThat(near.heldOutSubnets()).isEqualTo(10);
        assertThat(near.fromMs()).isEqualTo(0.06);
        assertThat(near.toMs()).isEqualTo(0.08);
        assertThat(near.mapePercent()).isCloseTo(5, offset(1e-9));
        assertThat(near.biasPercent()).isCloseTo(4.5, offset(1e-9));
        assertThat(near.worstPercent()).isCloseTo(9, offset(1e-9));
        assertThat(small.hostVariation().withModelPercent()).isCloseTo(100 * (1.05 * 1.08 - 1), offset(1e-9));

        // near the largest it errs less than overall: the overall figure stays the one combined
        SpecializationResponse.ExpectedError large = view.errorFor(SPACE.largest());
        assertThat(large.nearPick().mapePercent()).isCloseTo(1, offset(1e-9));
        assertThat(large.hostVariation().withModelPercent()).isCloseTo(100 * (1.024 * 1.08 - 1), offset(1e-9));

        // a model stored without its held-out pairs states no error near the pick
        SpecializationResponse.ExpectedError other = view.errorFor(SPACE.sample(new java.util.Random(1)));
        assertThat(other.nearPick()).isNull();
        assertThat(other.hostVariation().withModelPercent()).isCloseTo(100 * (1.024 * 1.08 - 1), offset(1e-9));
        // the view's own error is untouched
        assertThat(view.error().nearPick()).isNull();
    }

    @Test
    void anApiReplicaThatRunsNoWorkAndOtherDevicesSearchOnTheStoredModelUnchecked() {
        LatencyView api = new DeviceLatencyViews(latencies, check, false, "queued")
                .forLatencySearch(device("host-cpu"), SPACE, 10)
                .orElseThrow();
        assertThat(api.speedCheck()).isNull();
        assertThat(api.error().hostVariation()).isNull();
        assertThat(api.millis().applyAsDouble(SPACE.smallest())).isEqualTo(0.1);

        LatencyView board = new DeviceLatencyViews(latencies, check, true, "queued")
                .forLatencySearch(device("raspberry-pi-4"), SPACE, 10)
                .orElseThrow();
        assertThat(board.speedCheck()).isNull();
        assertThat(board.millis().applyAsDouble(SPACE.smallest())).isEqualTo(0.1);

        // plots and listings never check
        assertThat(new DeviceLatencyViews(latencies, check, true, "queued")
                        .forDevice(device("host-cpu"), SPACE, 10)
                        .orElseThrow()
                        .speedCheck())
                .isNull();
        verify(check, never()).check(any(), anyInt(), any());
        verify(check, never()).variation(any(), anyInt(), any());
    }
}
