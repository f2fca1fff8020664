package dev.tailor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ThroughputRoundsTest {

    @Test
    void theRatioIsTheMedianOfEachRoundsOwnRatioNotARatioOfMedians() {
        ThroughputRounds rounds = new ThroughputRounds();
        // the machine slows down and speeds up between rounds; each round's pair is measured together
        rounds.add(new ThroughputRounds.Round(800, 300, 200));
        rounds.add(new ThroughputRounds.Round(700, 360, 350));
        rounds.add(new ThroughputRounds.Round(400, 150, 100));

        assertThat(rounds.medianFullModel()).isEqualTo(700);
        assertThat(rounds.medianPeer()).isEqualTo(200);
        // 700 / 200 would say 3.5x, a ratio no round measured
        assertThat(rounds.medianFullModelRatio()).isEqualTo(4.0);
        assertThat(rounds.medianSandwichRatio()).isEqualTo(1.5);
        assertThat(rounds.min(ThroughputRounds.Round::sandwichRatio)).isEqualTo(360.0 / 350);
        assertThat(rounds.max(ThroughputRounds.Round::sandwichRatio)).isEqualTo(1.5);
        assertThat(rounds.hasPeer()).isTrue();
    }

    @Test
    void anEvenNumberOfRoundsTakesTheMeanOfTheMiddleTwo() {
        ThroughputRounds rounds = new ThroughputRounds();
        rounds.add(new ThroughputRounds.Round(100, 10, 50));
        rounds.add(new ThroughputRounds.Round(400, 40, 50));
        rounds.add(new ThroughputRounds.Round(200, 20, 50));
        rounds.add(new ThroughputRounds.Round(300, 30, 50));

        assertThat(rounds.medianFullModel()).isEqualTo(250);
        assertThat(rounds.medianSandwich()).isEqualTo(25);
    }

    @Test
    void roundsWithoutThePeerReportNoPeer() {
        ThroughputRounds rounds = new ThroughputRounds();
        rounds.add(new ThroughputRounds.Round(100, 50, Double.NaN));

        assertThat(rounds.hasPeer()).isFalse();
        assertThat(new ThroughputRounds().hasPeer()).isFalse();
        assertThat(new ThroughputRounds().medianFullModel()).isNaN();
    }
}
