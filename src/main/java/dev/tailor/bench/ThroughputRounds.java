package dev.tailor.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Rounds of Tailor's training steps and the peer's. This machine's speed shifts by a fifth for tens of
 * seconds at a time, so rates taken one after the other do not compare: within a round the three take
 * turns of a few steps each (the order rotating from turn to turn), and the ratio reported is the median
 * of the rounds' own ratios.
 */
final class ThroughputRounds {

    /** Told after each round, and once if the peer fails (why); later rounds go on without it. */
    interface Progress {
        void round(int index, Round round);

        void peerFailed(String why);
    }

    /**
     * {@code rounds} rounds of {@code steps} timed steps of each kind, in turns of {@code turnSteps}
     * steps; {@code peer} may be null (not run). Each kind has run its warm-up steps before.
     */
    static ThroughputRounds inTurns(
            StepTurns fullModel,
            StepTurns sandwich,
            StepTurns peer,
            int rounds,
            int steps,
            int turnSteps,
            int batch,
            Progress progress) {
        if (rounds < 1 || steps < 1 || turnSteps < 1) {
            throw new IllegalArgumentException(
                    "rounds, steps and turn steps must be positive; got " + rounds + ", " + steps + ", " + turnSteps);
        }
        ThroughputRounds measured = new ThroughputRounds();
        StepTurns stillPeer = peer;
        int turn = 0;
        for (int round = 1; round <= rounds; round++) {
            StepTurns[] parties = stillPeer == null
                    ? new StepTurns[] {fullModel, sandwich}
                    : new StepTurns[] {fullModel, sandwich, stillPeer};
            double[] seconds = new double[parties.length];
            boolean peerFailed = false;
            for (int done = 0; done < steps; done += turnSteps, turn++) {
                int size = Math.min(turnSteps, steps - done);
                for (int i = 0; i < parties.length; i++) {
                    int who = (i + turn) % parties.length;
                    if (who == 2 && peerFailed) {
                        continue;
                    }
                    if (who == 2) {
                        try {
                            seconds[who] += parties[who].run(size);
                        } catch (IllegalStateException e) {
                            peerFailed = true;
                            progress.peerFailed(e.getMessage());
                        }
                    } else {
                        seconds[who] += parties[who].run(size);
                    }
                }
            }
            Round measuredRound = new Round(
                    (double) batch * steps / seconds[0],
                    (double) batch * steps / seconds[1],
                    parties.length < 3 || peerFailed ? Double.NaN : (double) batch * steps / seconds[2]);
            if (peerFailed) {
                stillPeer = null;
            }
            measured.add(measuredRound);
            progress.round(round, measuredRound);
        }
        return measured;
    }

    /** One round's images/s; {@code peer} is NaN when the peer did not run. */
    record Round(double fullModel, double sandwich, double peer) {

        double fullModelRatio() {
            return fullModel / peer;
        }

        double sandwichRatio() {
            return sandwich / peer;
        }

        boolean hasPeer() {
            return !Double.isNaN(peer);
        }
    }

    private final List<Round> rounds = new ArrayList<>();

    void add(Round round) {
        rounds.add(round);
    }

    List<Round> rounds() {
        return List.copyOf(rounds);
    }

    boolean hasPeer() {
        return !rounds.isEmpty() && rounds.stream().allMatch(Round::hasPeer);
    }

    double medianFullModel() {
        return median(Round::fullModel);
    }

    double medianSandwich() {
        return median(Round::sandwich);
    }

    double medianPeer() {
        return median(Round::peer);
    }

    double medianFullModelRatio() {
        return median(Round::fullModelRatio);
    }

    double medianSandwichRatio() {
        return median(Round::sandwichRatio);
    }

    double min(ToDoubleFunction<Round> figure) {
        return rounds.stream().mapToDouble(figure).min().orElse(Double.NaN);
    }

    double max(ToDoubleFunction<Round> figure) {
        return rounds.stream().mapToDouble(figure).max().orElse(Double.NaN);
    }

    /** The middle value, or the mean of the two middle ones; NaN with no rounds. */
    double median(ToDoubleFunction<Round> figure) {
        double[] values = rounds.stream().mapToDouble(figure).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
