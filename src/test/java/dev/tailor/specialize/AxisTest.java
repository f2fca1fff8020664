package dev.tailor.specialize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AxisTest {

    @Test
    void ticksFallOnOneTwoFiveSteps() {
        assertThat(labels(Axis.covering(0, 100, 6))).containsExactly("0", "20", "40", "60", "80", "100");
        assertThat(labels(Axis.covering(80.2, 92.7, 6))).containsExactly("80", "82", "84", "86", "88", "90", "92");
        assertThat(labels(Axis.covering(1.5, 29.4, 6))).containsExactly("5", "10", "15", "20", "25", "30");
        assertThat(labels(Axis.covering(0.31, 0.42, 6)))
                .containsExactly("0.32", "0.34", "0.36", "0.38", "0.40", "0.42");
    }

    @Test
    void decimalsFollowTheStepNotTheFloatingPointNoise() {
        Axis axis = Axis.covering(0.1, 0.7, 6);
        assertThat(labels(axis)).containsExactly("0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7");
        // 3 * 0.1 is 0.30000000000000004 in doubles; tick values are the nearest double to 0.3
        assertThat(axis.ticks().get(2).value()).isEqualTo(0.3);
    }

    @Test
    void largeValuesGetAnSiPrefix() {
        assertThat(labels(Axis.covering(3.2e6, 6.1e6, 6)))
                .containsExactly("3.5M", "4.0M", "4.5M", "5.0M", "5.5M", "6.0M");
        assertThat(labels(Axis.covering(0, 4e8, 6))).containsExactly("0", "100M", "200M", "300M", "400M");
        assertThat(labels(Axis.covering(12_000, 48_000, 6)))
                .containsExactly("15k", "20k", "25k", "30k", "35k", "40k", "45k");
    }

    @Test
    void negativeRangesHaveNoNegativeZero() {
        assertThat(labels(Axis.covering(-1, 1, 6))).containsExactly("-1.0", "-0.5", "0.0", "0.5", "1.0");
    }

    @Test
    void aSingleValueIsCentredInAPaddedRange() {
        Axis axis = Axis.covering(12.5, 12.5, 6);
        assertThat(axis.min()).isLessThan(12.5);
        assertThat(axis.max()).isGreaterThan(12.5);
        assertThat(axis.fraction(12.5)).isEqualTo(0.5);
        assertThat(axis.ticks()).isNotEmpty();
        assertThat(Axis.covering(0, 0, 6).fraction(0)).isEqualTo(0.5);
    }

    @Test
    void noDataGivesAUnitRange() {
        Axis axis = Axis.covering(Double.NaN, Double.NaN, 6);
        assertThat(axis.min()).isEqualTo(0);
        assertThat(axis.max()).isEqualTo(1);
        assertThat(labels(axis)).containsExactly("0.0", "0.2", "0.4", "0.6", "0.8", "1.0");
    }

    @Test
    void rangesBeyondDoublePrecisionGiveNoEndlessLoop() {
        assertThat(Axis.covering(1e16, 1e16 + 2, 6).ticks()).hasSizeLessThan(41);
        assertThat(Axis.covering(-Double.MAX_VALUE, Double.MAX_VALUE, 6).max()).isEqualTo(1);
        assertThat(Axis.covering(Double.MIN_VALUE, 2 * Double.MIN_VALUE, 6).ticks())
                .hasSizeLessThan(41);
    }

    private static List<String> labels(Axis axis) {
        return axis.ticks().stream().map(Axis.Tick::label).toList();
    }
}
