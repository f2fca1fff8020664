package dev.tailor.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeptTimingsTest {

    /** Timings a minute apart. */
    private static List<HostSpeedHistory.Timing> timings(double... ratios) {
        List<HostSpeedHistory.Timing> timings = new ArrayList<>();
        for (int i = 0; i < ratios.length; i++) {
            timings.add(new HostSpeedHistory.Timing(ratios[i], i * 60_000L));
        }
        return timings;
    }

    @Test
    void episodesAreLeftOutOfTheVariationAndTheUsualSpeedAndCounted() {
        KeptTimings kept = new KeptTimings(timings(1.00, 1.02, 1.10, 1.04, 1.70, 1.01, 1.06, 1.55), 1.25);
        HostSpeedCheck.Variation variation = kept.variation();
        assertThat(variation.passes()).isEqualTo(6);
        assertThat(variation.episodes()).isEqualTo(2);
        assertThat(variation.minutes()).isEqualTo(7);
        // nearest rank of the six: the 90th is 1.10, the 10th 1.00
        assertThat(variation.percent()).isCloseTo(10, offset(1e-9));
        // the median of all eight is 1.05: the slowest is 1.70 / 1.05
        assertThat(variation.slowestEpisode()).isCloseTo(1.70 / 1.05, offset(1e-9));
        assertThat(kept.usual()).hasValue((1.02 + 1.04) / 2);
    }

    @Test
    void fewerThanFiveOutsideEpisodesTellNeither() {
        KeptTimings few = new KeptTimings(timings(1.00, 1.02, 1.04, 1.60), 1.25);
        assertThat(few.variation().percent()).isNull();
        assertThat(few.variation().passes()).isEqualTo(3);
        assertThat(few.usual()).isEmpty();

        KeptTimings none = new KeptTimings(List.of(), 1.25);
        assertThat(none.variation()).isEqualTo(new HostSpeedCheck.Variation(null, 0, 0, 0, null));
        assertThat(none.usual()).isEmpty();
    }

    @Test
    void aSlowHourHasNoUsualSpeedBelowTheEpisodeMark() {
        KeptTimings slow = new KeptTimings(timings(1.7, 1.6, 1.8, 1.7, 1.75, 1.65), 1.25);
        // relative to their own median they vary little: a variation, but no usual speed to search with
        assertThat(slow.variation().percent()).isNotNull();
        assertThat(slow.usual()).isEmpty();
    }
}
