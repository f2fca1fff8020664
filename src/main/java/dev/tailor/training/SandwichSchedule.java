package dev.tailor.training;

import dev.tailor.space.SearchSpace;
import java.util.List;
import java.util.Random;

/**
 * BigNAS-style sandwich training from the first step: the largest subnet on labels, the smallest
 * and two random subnets by in-place distillation from the largest's detached logits. Each child
 * runs at its own resolution (the largest at the largest, the smallest at the smallest).
 */
final class SandwichSchedule implements Schedule {

    private final SearchSpace space;
    private final LearningRate learningRate;
    private final List<Phase> phases;

    SandwichSchedule(SearchSpace space, TrainingOptions options, int stepsPerEpoch) {
        this.space = space;
        this.phases = List.of(new Phase("sandwich", 0, options.epochs()));
        this.learningRate = new LearningRate(
                options.learningRate(),
                0,
                Math.round(options.warmupEpochs() * stepsPerEpoch),
                (long) options.epochs() * stepsPerEpoch);
    }

    @Override
    public String name() {
        return "sandwich";
    }

    @Override
    public List<Phase> phases() {
        return phases;
    }

    @Override
    public double learningRate(long globalStep) {
        return learningRate.at(globalStep);
    }

    @Override
    public List<SubnetRun> plan(int epoch, long globalStep, Random random) {
        return List.of(
                new SubnetRun(space.largest(), SubnetRun.Target.LABELS, 1, true),
                new SubnetRun(space.smallest(), SubnetRun.Target.IN_PLACE_TEACHER, 1, false),
                new SubnetRun(space.sample(random), SubnetRun.Target.IN_PLACE_TEACHER, 1, false),
                new SubnetRun(space.sample(random), SubnetRun.Target.IN_PLACE_TEACHER, 1, false));
    }
}
