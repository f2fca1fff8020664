package dev.tailor.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.tailor.space.SearchSpace;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The worker's watch of host-cpu's speed: which spaces it times, and when it holds off. */
class HostSpeedWatchTest {

    private final HostSpeedCheck check = mock(HostSpeedCheck.class);
    private final DeviceLatencyModel model = mock(DeviceLatencyModel.class);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void eachTickTimesEveryWatchedSpaceOnceUnlessTrainingRuns() {
        SearchSpace small = TinySpaces.withUnit(16);
        SearchSpace other = TinySpaces.withUnit(8);
        when(model.millis(any())).thenReturn(0.1);
        when(check.watch(eq(small), eq(10), any())).thenReturn(1.08);
        when(check.watch(eq(other), eq(3), any())).thenReturn(1.9);
        AtomicBoolean training = new AtomicBoolean();
        HostSpeedWatch watch = new HostSpeedWatch(
                () -> List.of(new HostSpeedWatch.Target(small, 10, model), new HostSpeedWatch.Target(other, 3, model)),
                training::get,
                check,
                registry,
                60);

        assertThat(watch.tick()).isEqualTo(2);
        verify(check).watch(eq(small), eq(10), any());
        verify(check).watch(eq(other), eq(3), any());
        // each space's last ratio is a gauge operators can scrape
        assertThat(registry.get("tailor.host.speed.ratio")
                        .tag("space", small.name())
                        .gauge()
                        .value())
                .isEqualTo(1.08);
        assertThat(registry.get("tailor.host.speed.ratio")
                        .tag("space", other.name())
                        .gauge()
                        .value())
                .isEqualTo(1.9);

        // training's own load would read as the host's
        training.set(true);
        assertThat(watch.tick()).isZero();
        verify(check, times(2)).watch(any(), anyInt(), any());
    }

    @Test
    void anIntervalOfZeroTurnsItOffAndANegativeOneIsRefused() {
        HostSpeedWatch off = new HostSpeedWatch(List::of, () -> false, check, registry, 0);
        off.start();
        off.stop();
        verify(check, never()).watch(any(), anyInt(), any());
        assertThatThrownBy(() -> new HostSpeedWatch(List::of, () -> false, check, registry, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tailor.latency.speed-watch.interval-seconds");
    }
}
