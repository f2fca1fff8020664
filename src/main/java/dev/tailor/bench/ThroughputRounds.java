package dev.tailor.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Rounds of Tailor's training steps and the peer timed one after the other. This machine's speed drifts by
 * a third within minutes, so one back-to-back pair is not a figure: the ratio reported is the median of the
 * rounds' own ratios, each taken from measurements seconds apart.
 */
final class ThroughputRounds {

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
