package dev.tailor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.space.SearchSpace;
import dev.tailor.training.GeneratedImages;
import dev.tailor.training.TrainingData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PilotPriceCheckTest {

    @Test
    void aPilotAndALongEpochTakeTurnsOnTwoThreadsOrOneAndEachTurnCountsItsLaterSteps() {
        TrainingData data = TrainingData.prepare("generated", GeneratedImages.make(512, 64, 10, 3), 64, 1);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PilotPriceCheck check = new PilotPriceCheck(
                SearchSpace.named(SearchSpace.FASHION_MNIST),
                data,
                "sandwich",
                16,
                2,
                24,
                new PrintStream(log, true, StandardCharsets.UTF_8));

        for (boolean sameThread : new boolean[] {false, true}) {
            PilotPriceCheck.Measured measured = check.measure(sameThread);

            // two turns each (the pilot's first epoch left out), the first 2 of each turn's 8 steps uncounted
            assertThat(measured.longRun()).hasSize(2);
            assertThat(measured.pilot()).hasSize(2);
            for (double[] turn : concat(measured.longRun(), measured.pilot())) {
                assertThat(turn).hasSize(ScheduleBudget.PILOT_STEPS - ScheduleBudget.PILOT_UNCOUNTED_STEPS);
                for (double seconds : turn) {
                    assertThat(seconds).isPositive();
                }
            }
            List<BenchReport> tables = PilotPriceCheck.tables(measured, "sandwich", "tailor bench pilot-check");
            assertThat(tables.get(0).csv().lines()).hasSize(3);
        }
    }

    @Test
    void theTablesGiveThePilotsPriceAgainstTheLongEpochsWindowByWindow() {
        List<double[]> longRun = new ArrayList<>();
        List<double[]> pilot = new ArrayList<>();
        for (int turn = 0; turn < 10; turn++) {
            double speed = turn < 5 ? 1.0 : 2.0; // the machine slows down after five turns
            longRun.add(new double[] {speed, speed});
            pilot.add(new double[] {0.5 * speed, 0.5 * speed});
        }
        List<BenchReport> tables = PilotPriceCheck.tables(
                new PilotPriceCheck.Measured(longRun, pilot, false), "sandwich", "tailor bench pilot-check --turns 10");

        assertThat(tables.get(0).csv())
                .contains("long epoch (main thread),20,1.500,1.000,2.000")
                .contains("pilot (8-step epochs on its own thread),20,0.7500,0.5000,1.000");
        assertThat(tables.get(0).markdown())
                .contains("prices the long epoch's step at 0.500 of what")
                .contains("`tailor bench pilot-check --turns 10`");
        assertThat(tables.get(1).csv().lines().toList())
                .containsExactly(
                        "window,turns,long epoch,pilot,pilot / long",
                        "1,1-5,1.000,0.5000,0.5000",
                        "2,6-10,2.000,1.000,0.5000");
    }

    @Test
    void moreTurnsThanThePilotHasEpochsAreRefused() {
        TrainingData data = TrainingData.prepare("generated", GeneratedImages.make(512, 64, 10, 3), 64, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PilotPriceCheck(
                        SearchSpace.named(SearchSpace.FASHION_MNIST), data, "sandwich", 16, 40, 0, System.out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--turns: at most 39");
    }

    private static List<double[]> concat(List<double[]> a, List<double[]> b) {
        List<double[]> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
