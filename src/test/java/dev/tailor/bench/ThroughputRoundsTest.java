package dev.tailor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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

    /** A kind of step whose time per step is its own cost times the machine's speed at the time. */
    private static final class Timed implements StepTurns {
        private final String name;
        private final double secondsPerStep;
        private final Machine machine;
        private final int failAfterTurns;
        private int turns;

        Timed(String name, double secondsPerStep, Machine machine, int failAfterTurns) {
            this.name = name;
            this.secondsPerStep = secondsPerStep;
            this.machine = machine;
            this.failAfterTurns = failAfterTurns;
        }

        @Override
        public double run(int steps) {
            if (turns++ == failAfterTurns) {
                throw new IllegalStateException(name + " went away");
            }
            machine.log.add(name + ":" + steps);
            double seconds = steps * secondsPerStep * machine.slowdown();
            machine.clock += seconds;
            return seconds;
        }

        @Override
        public void close() {}
    }

    /** Runs at full speed, then at half speed from 10 s to 40 s, then at full speed again. */
    private static final class Machine {
        final List<String> log = new ArrayList<>();
        double clock;

        double slowdown() {
            return clock >= 10 && clock < 40 ? 2.0 : 1.0;
        }
    }

    private static final ThroughputRounds.Progress QUIET = new ThroughputRounds.Progress() {
        @Override
        public void round(int index, ThroughputRounds.Round round) {}

        @Override
        public void peerFailed(String why) {
            throw new AssertionError(why);
        }
    };

    private static ThroughputRounds onMachine(Machine machine, int turnSteps) {
        return ThroughputRounds.inTurns(
                new Timed("full", 0.2, machine, -1),
                new Timed("sandwich", 0.5, machine, -1),
                new Timed("peer", 0.6, machine, -1),
                3,
                10,
                turnSteps,
                128,
                QUIET);
    }

    @Test
    void inTurnsTheKindsRunAFewStepsEachInARotatingOrder() {
        Machine machine = new Machine();
        List<ThroughputRounds.Round> told = new ArrayList<>();

        ThroughputRounds rounds = ThroughputRounds.inTurns(
                new Timed("full", 0.2, machine, -1),
                new Timed("sandwich", 0.5, machine, -1),
                new Timed("peer", 0.6, machine, -1),
                2,
                5,
                2,
                128,
                new ThroughputRounds.Progress() {
                    @Override
                    public void round(int index, ThroughputRounds.Round round) {
                        told.add(round);
                    }

                    @Override
                    public void peerFailed(String why) {
                        throw new AssertionError(why);
                    }
                });

        // 5 steps a round in turns of 2, 2 and 1; whoever went first goes last in the next turn
        assertThat(machine.log.subList(0, 9))
                .containsExactly(
                        "full:2",
                        "sandwich:2",
                        "peer:2",
                        "sandwich:2",
                        "peer:2",
                        "full:2",
                        "peer:1",
                        "full:1",
                        "sandwich:1");
        assertThat(machine.log).hasSize(18);
        assertThat(told).hasSize(2).isEqualTo(rounds.rounds());
        // the first round ran at full speed: 5 steps of 128 images in 1 s, 2.5 s and 3 s
        assertThat(rounds.rounds().get(0).fullModel()).isCloseTo(640, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(rounds.rounds().get(0).fullModelRatio()).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(rounds.rounds().get(0).sandwichRatio()).isCloseTo(1.2, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void aSlowStretchFallsOnAllKindsAlikeWhenTheyTakeTurnsStepByStep() {
        ThroughputRounds inTurns = onMachine(new Machine(), 1);
        ThroughputRounds oneAfterTheOther = onMachine(new Machine(), 10);

        // step by step, every round's ratio stays within a tenth of the true 3.0 and 1.2, rates fall by a third
        for (ThroughputRounds.Round round : inTurns.rounds()) {
            assertThat(round.fullModelRatio()).isBetween(2.7, 3.3);
            assertThat(round.sandwichRatio()).isBetween(1.08, 1.32);
        }
        assertThat(inTurns.rounds().get(1).fullModel()).isLessThan(0.6 * 640);
        // one kind after the other, the stretch fell on some and not others: ratios off by double
        assertThat(oneAfterTheOther.max(ThroughputRounds.Round::fullModelRatio)).isGreaterThan(5.9);
        assertThat(oneAfterTheOther.max(ThroughputRounds.Round::sandwichRatio)).isGreaterThan(2.3);
    }

    @Test
    void aPeerThatFailsIsToldOnceAndTheRoundsGoOnWithoutIt() {
        Machine machine = new Machine();
        List<String> why = new ArrayList<>();
        ThroughputRounds rounds = ThroughputRounds.inTurns(
                new Timed("full", 0.2, machine, -1),
                new Timed("sandwich", 0.5, machine, -1),
                new Timed("peer", 0.6, machine, 3),
                3,
                4,
                2,
                128,
                new ThroughputRounds.Progress() {
                    @Override
                    public void round(int index, ThroughputRounds.Round round) {}

                    @Override
                    public void peerFailed(String reason) {
                        why.add(reason);
                    }
                });

        assertThat(why).containsExactly("peer went away");
        assertThat(rounds.rounds()).hasSize(3);
        assertThat(rounds.rounds().get(0).hasPeer()).isTrue();
        assertThat(rounds.rounds().get(1).hasPeer()).isFalse();
        assertThat(rounds.rounds().get(2).hasPeer()).isFalse();
        assertThat(rounds.rounds().get(2).fullModel()).isPositive();
        assertThat(rounds.hasPeer()).isFalse();
        // two turns a round: it failed on its fourth, in the second round, and was not asked again
        assertThat(machine.log.stream().filter(entry -> entry.startsWith("peer")))
                .hasSize(3);
    }

    @Test
    void roundsThatDoNotFitInOnePassOverTheTrainingImagesAreRefusedNamingTheFlags() {
        // Fashion-MNIST's 55,000 training images: 429 steps of 128, one kept back so no epoch ends
        assertThat(TrainingThroughputBench.stepsThatDoNotFit(5, 20, 55_000)).isEmpty();
        assertThat(TrainingThroughputBench.stepsThatDoNotFit(20, 20, 55_000)).isEmpty();
        assertThat(TrainingThroughputBench.stepsThatDoNotFit(21, 20, 55_000))
                .hasValue("--rounds 21 x --steps 20: a trainer's steps (with 20 to warm up) must fit in one pass"
                        + " over the 55000 training images, at most 428 steps of 128");
        assertThat(TrainingThroughputBench.stepsThatDoNotFit(1, 1, 100)).isPresent();
    }
}
