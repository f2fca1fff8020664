package dev.tailor.training;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.List;
import java.util.Random;

/**
 * Delayed ε-shrinking, after the DεpS code (research notes section 2): the full model trains alone
 * for {@code warmupFraction} of the epochs; then channels are reorganised once and every step
 * trains the largest subnet on labels and the smallest and two random subnets by in-place
 * distillation from the largest's detached logits, gradients summed. Over the first
 * {@code epsilonEpochs} of shrinking the small subnets' gradients are scaled so that their
 * effective learning rate rises linearly from 0 to the schedule's rate at the end of the ramp
 * ({@code adjust_beta_value}); a ramp longer than half of shrinking is cut to half, since one that
 * ended with training would aim at a final rate of 0. DεpS's space has one resolution; ours is
 * elastic, so the small subnets run at their own resolutions as in the sandwich rule (the largest
 * at the largest, the smallest at the smallest), the same images resized.
 */
final class DepsSchedule implements Schedule {

    private final SearchSpace space;
    private final LearningRate learningRate;
    private final List<Phase> phases;
    private final long rampStart;
    private final long rampEnd;

    DepsSchedule(SearchSpace space, TrainingOptions options, int stepsPerEpoch) {
        this.space = space;
        int epochs = options.epochs();
        int shrinkStart = epochs < 2 ? epochs : Math.max(1, (int) Math.round(epochs * options.warmupFraction()));
        shrinkStart = Math.min(shrinkStart, epochs - (epochs < 2 ? 0 : 1));
        this.phases = shrinkStart >= epochs
                ? List.of(new Phase("full-model", 0, epochs))
                : List.of(new Phase("full-model", 0, shrinkStart), new Phase("shrinking", shrinkStart, epochs));
        long total = (long) epochs * stepsPerEpoch;
        this.learningRate =
                new LearningRate(options.learningRate(), 0, Math.round(options.warmupEpochs() * stepsPerEpoch), total);
        this.rampStart = (long) shrinkStart * stepsPerEpoch;
        // The ramp aims at the schedule's rate where it ends; ending at the last step would aim at a
        // rate of 0, so a short run's ramp takes at most half of shrinking.
        long shrinkSteps = total - rampStart;
        this.rampEnd =
                rampStart + Math.max(1, Math.min(Math.round(options.epsilonEpochs() * stepsPerEpoch), shrinkSteps / 2));
    }

    @Override
    public String name() {
        return "deps";
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
    public double epsilon(long globalStep) {
        if (globalStep < rampStart) {
            return 0;
        }
        if (globalStep >= rampEnd) {
            return 1;
        }
        double rampedRate = learningRate.at(rampEnd) * (globalStep - rampStart + 1) / (rampEnd - rampStart);
        double scheduled = learningRate.at(globalStep);
        return scheduled <= 0 ? 1 : rampedRate / scheduled;
    }

    @Override
    public List<EpochStart> atEpochStart(int epoch) {
        return phases.size() > 1 && epoch == phases.get(1).startEpoch()
                ? List.of(new EpochStart.ReorganizeChannels(0))
                : List.of();
    }

    @Override
    public List<SubnetRun> plan(int epoch, long globalStep, Random random) {
        SubnetRun largest = new SubnetRun(space.largest(), SubnetRun.Target.LABELS, 1, true);
        if (phaseAt(epoch).name().equals("full-model")) {
            return List.of(largest);
        }
        double epsilon = epsilon(globalStep);
        return List.of(
                largest,
                new SubnetRun(space.smallest(), SubnetRun.Target.IN_PLACE_TEACHER, epsilon, false),
                new SubnetRun(space.sample(random), SubnetRun.Target.IN_PLACE_TEACHER, epsilon, false),
                new SubnetRun(space.sample(random), SubnetRun.Target.IN_PLACE_TEACHER, epsilon, false));
    }

    static SubnetConfig atResolution(SubnetConfig config, int resolution) {
        return new SubnetConfig(resolution, config.depths(), config.kernels(), config.expands());
    }
}
