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
                .thenReturn(new HostSpeedCheck.Result(1.5, 6, 1.4, 1.7, true, 0.03, 0, 0));
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
