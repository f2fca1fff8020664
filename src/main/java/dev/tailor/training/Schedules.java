package dev.tailor.training;

import dev.tailor.space.SearchSpace;
import java.util.Locale;

/** Schedules by name. */
final class Schedules {

    private Schedules() {}

    static Schedule create(SearchSpace space, TrainingOptions options, int stepsPerEpoch) {
        return switch (options.schedule().toLowerCase(Locale.ROOT)) {
            case "deps" -> new DepsSchedule(space, options, stepsPerEpoch);
            case "sandwich" -> new SandwichSchedule(space, options, stepsPerEpoch);
            case "progressive-shrinking" -> new ProgressiveShrinkingSchedule(space, options, stepsPerEpoch);
            case "depth-expansion" -> new DepthExpansionSchedule(space, options, stepsPerEpoch);
            default ->
                throw new IllegalArgumentException("schedule '" + options.schedule() + "' is not known; use one of "
                        + String.join(", ", TrainingOptions.SCHEDULES));
        };
    }
}
