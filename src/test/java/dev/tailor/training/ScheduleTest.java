package dev.tailor.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.tailor.space.SearchSpace;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The schedules' phase switches, ε ramp and subnet choices at their configured points. */
class ScheduleTest {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);
    private static final int STEPS = 10;

    private static TrainingOptions deps(int epochs, double epsilonEpochs) {
        TrainingOptions d = TrainingOptions.defaults("deps", epochs);
        return new TrainingOptions(
                d.schedule(),
                epochs,
                d.batchSize(),
                0.1,
                1,
                d.momentum(),
                d.weightDecay(),
                d.labelSmoothing(),
                d.seed(),
                d.validationSize(),
                0.5,
                epsilonEpochs,
                d.calibrationImages(),
                0,
                d.targetAccuracy(),
                d.patience(),
                d.randomErase());
    }

    @Test
    void depsTrainsTheFullModelAloneUntilHalfwayThenReorganisesOnceAndShrinks() {
        DepsSchedule schedule = new DepsSchedule(SPACE, deps(10, 2), STEPS);
        assertThat(schedule.phases())
                .containsExactly(new Schedule.Phase("full-model", 0, 5), new Schedule.Phase("shrinking", 5, 10));
        assertThat(schedule.plan(4, 49, new Random(1))).singleElement().satisfies(run -> {
            assertThat(run.config()).isEqualTo(SPACE.largest());
            assertThat(run.target()).isEqualTo(SubnetRun.Target.LABELS);
            assertThat(run.dropout()).isTrue();
        });
        List<SubnetRun> sandwich = schedule.plan(5, 50, new Random(1));
        assertThat(sandwich).hasSize(4);
        assertThat(sandwich.get(0).config()).isEqualTo(SPACE.largest());
        assertThat(sandwich.get(1).config()).isEqualTo(SPACE.smallest());
        assertThat(sandwich.subList(1, 4)).allSatisfy(run -> {
            assertThat(run.target()).isEqualTo(SubnetRun.Target.IN_PLACE_TEACHER);
            assertThat(run.dropout()).isFalse();
            assertThat(SPACE.violations(run.config())).isEmpty();
        });
        assertThat(schedule.atEpochStart(5)).containsExactly(new Schedule.EpochStart.ReorganizeChannels(0));
        assertThat(schedule.atEpochStart(4)).isEmpty();
        assertThat(schedule.atEpochStart(6)).isEmpty();
    }

    @Test
    void epsilonRampsTheSubnetsEffectiveRateLinearlyToTheScheduleAndThenStaysOne() {
        DepsSchedule schedule = new DepsSchedule(SPACE, deps(10, 2), STEPS);
        assertThat(schedule.epsilon(49)).isZero();
        double target = schedule.learningRate(70);
        for (long step = 50; step < 70; step++) {
            double effective = schedule.epsilon(step) * schedule.learningRate(step);
            assertThat(effective).isCloseTo(target * (step - 49) / 20.0, offset(1e-12));
        }
        assertThat(schedule.epsilon(70)).isEqualTo(1.0);
        assertThat(schedule.epsilon(99)).isEqualTo(1.0);
        assertThat(schedule.plan(5, 50, new Random(2)).get(2).weight()).isEqualTo(schedule.epsilon(50));
    }

    @Test
    void aRampAsLongAsShrinkingIsCutToHalfOfIt() {
        DepsSchedule schedule = new DepsSchedule(SPACE, deps(4, 2), STEPS);
        assertThat(schedule.epsilon(20)).isBetween(0.0, 1.0);
        assertThat(schedule.epsilon(30)).isEqualTo(1.0);
    }

    /**
     * DεpS ramps ε over 5 of its 270 epochs; a 4-epoch run of 429 steps an epoch ramps over the same
     * share, 32 steps, not a whole epoch (which took half of shrinking and aimed at a rate six times
     * smaller).
     */
    @Test
    void theDefaultRampIsDepsShareOfTheRunEvenWhenThatIsPartOfAnEpoch() {
        int steps = 429;
        TrainingOptions options = TrainingOptions.defaults("deps", 4);
        assertThat(options.epsilonEpochs()).isCloseTo(4 * 5.0 / 270, offset(1e-12));
        DepsSchedule schedule = new DepsSchedule(SPACE, options, steps);
        long rampStart = 2L * steps;
        assertThat(schedule.epsilon(rampStart - 1)).isZero();
        assertThat(schedule.epsilon(rampStart)).isBetween(0.0, 0.1);
        assertThat(schedule.epsilon(rampStart + 16)).isBetween(0.3, 0.7);
        assertThat(schedule.epsilon(rampStart + 31)).isCloseTo(1.0, offset(0.01));
        assertThat(schedule.epsilon(rampStart + 32)).isEqualTo(1.0);
        // the rate the small subnets reach at the ramp's end: about half the peak, not a sixth
        assertThat(schedule.learningRate(rampStart + 32)).isGreaterThan(0.045);
    }

    @Test
    void aSettingOnlyAnotherScheduleReadsDoesNotMakeARunTrainOtherwise() {
        TrainingOptions sandwich = TrainingOptions.defaults("sandwich", 10);
        assertThat(sandwich.toBuilder()
                        .warmupFraction(0.4)
                        .epsilonEpochs(1)
                        .patience(3)
                        .build()
                        .trainsAs(sandwich))
                .isTrue();
        assertThat(sandwich.toBuilder().seed(2).build().trainsAs(sandwich)).isFalse();
        TrainingOptions deps = TrainingOptions.defaults("deps", 10);
        assertThat(deps.toBuilder().warmupFraction(0.4).build().trainsAs(deps)).isFalse();
        assertThat(deps.toBuilder().targetAccuracy(0.5).build().trainsAs(deps)).isTrue();
    }

    @Test
    void learningRateWarmsUpLinearlyThenFollowsACosine() {
        LearningRate rate = new LearningRate(0.1, 0, 10, 110);
        assertThat(rate.at(0)).isCloseTo(0.01, offset(1e-12));
        assertThat(rate.at(9)).isCloseTo(0.1, offset(1e-12));
        assertThat(rate.at(10)).isCloseTo(0.1, offset(1e-12));
        assertThat(rate.at(60)).isCloseTo(0.05, offset(1e-12));
        assertThat(rate.at(110)).isCloseTo(0, offset(1e-12));
    }

    @Test
    void progressiveShrinkingKeepsOfasPhaseProportionsAndEvents() {
        TrainingOptions options = TrainingOptions.defaults("progressive-shrinking", 605);
        ProgressiveShrinkingSchedule schedule = new ProgressiveShrinkingSchedule(SPACE, options, STEPS);
        assertThat(schedule.phases()).extracting(Schedule.Phase::epochs).containsExactly(180, 125, 25, 125, 25, 125);
        assertThat(schedule.atEpochStart(180)).containsExactly(new Schedule.EpochStart.FreezeTeacher());
        assertThat(schedule.atEpochStart(455)).containsExactly(new Schedule.EpochStart.ReorganizeChannels(1));
        assertThat(schedule.atEpochStart(330)).isEmpty();
        assertThat(schedule.atEpochStart(480)).containsExactly(new Schedule.EpochStart.ReorganizeChannels(2));
        // elastic kernel: one subnet, depth and expand at their largest, kernels vary
        List<SubnetRun> kernel = schedule.plan(200, 2000, new Random(3));
        assertThat(kernel).singleElement().satisfies(run -> {
            assertThat(run.config().depths()).containsOnly(4);
            assertThat(run.config().expands()).containsOnly(6);
            assertThat(run.target()).isEqualTo(SubnetRun.Target.LABELS_AND_FROZEN_TEACHER);
        });
        // depth phase 1: two subnets of depth 3 or 4; expand phase 1: four subnets of expand 4 or 6
        assertThat(schedule.plan(310, 3100, new Random(4)))
                .hasSize(2)
                .allSatisfy(run -> assertThat(run.config().depths()).allMatch(d -> d >= 3));
        assertThat(schedule.plan(460, 4600, new Random(5)))
                .hasSize(4)
                .allSatisfy(run -> assertThat(run.config().expands()).allMatch(e -> e >= 4));
        // each phase has its own cosine: the kernel phase peaks at OFA's 3e-2 relative to 2.6/32
        assertThat(schedule.learningRate(1800 + 50)).isCloseTo(0.1 * 0.03 / (2.6 / 32), offset(1e-6));
    }

    @Test
    void aShortProgressiveShrinkingRunStillVisitsEveryPhaseInOrder() {
        ProgressiveShrinkingSchedule schedule =
                new ProgressiveShrinkingSchedule(SPACE, TrainingOptions.defaults("progressive-shrinking", 24), STEPS);
        assertThat(schedule.phases())
                .extracting(Schedule.Phase::name)
                .containsExactly(
                        "full",
                        "elastic-kernel",
                        "elastic-depth-1",
                        "elastic-depth-2",
                        "elastic-expand-1",
                        "elastic-expand-2");
        assertThat(schedule.phases().get(5).endEpoch()).isEqualTo(24);
    }

    @Test
    void depthExpansionGrowsADepthChainOneBlockAtATimeUpToTheLargestSubnet() {
        List<dev.tailor.space.SubnetConfig> chain = DepthExpansionSchedule.depthChain(SPACE);
        assertThat(chain).hasSize(7);
        assertThat(chain.get(0).depths()).containsExactly(2, 2, 2);
        assertThat(chain.get(1).depths()).containsExactly(3, 2, 2);
        assertThat(chain.get(2).depths()).containsExactly(3, 3, 2);
        assertThat(chain.get(3).depths()).containsExactly(3, 3, 3);
        assertThat(chain.get(6)).isEqualTo(SPACE.largest());
        assertThat(chain).allSatisfy(config -> {
            assertThat(SPACE.violations(config)).isEmpty();
            assertThat(config.resolution()).isEqualTo(SPACE.maxResolution());
            assertThat(config.kernels()).containsOnly(SPACE.maxKernel());
        });
    }

    @Test
    void depthExpansionWarmsUpEveryDepthDeepestFirstAtATenthOfTheRate() {
        TrainingOptions options = TrainingOptions.defaults("depth-expansion", 20);
        DepthExpansionSchedule schedule = new DepthExpansionSchedule(SPACE, options, STEPS);
        assertThat(schedule.warmupEpochs()).isEqualTo(3);
        assertThat(schedule.exitHeads()).isEqualTo(7);
        List<SubnetRun> warmup = schedule.plan(0, 0, new Random(1));
        assertThat(warmup).hasSize(7);
        assertThat(warmup.get(0).config()).isEqualTo(SPACE.largest());
        assertThat(warmup.get(6).config().depths()).containsExactly(2, 2, 2);
        assertThat(warmup).allSatisfy(run -> assertThat(run.target()).isEqualTo(SubnetRun.Target.LABELS));
        assertThat(schedule.learningRate(0)).isCloseTo(0.01, offset(1e-9));
        assertThat(schedule.learningRate(3 * STEPS - 1)).isLessThan(0.0001);
        assertThat(schedule.validateAfter(2)).isEmpty();
        assertThat(schedule.atEpochStart(3))
                .containsExactly(new Schedule.EpochStart.FreezeTeacher(), new Schedule.EpochStart.ResetOptimizer());
        assertThat(schedule.plan(3, 3 * STEPS, new Random(1)))
                .singleElement()
                .satisfies(run -> assertThat(run.config().depths()).containsExactly(2, 2, 2));
        assertThat(schedule.validateAfter(3)).contains(schedule.levels().get(0));
        assertThat(schedule.learningRate(3 * STEPS)).isCloseTo(0.1, offset(1e-12));
        assertThat(new DepthExpansionSchedule(SPACE, TrainingOptions.defaults("depth-expansion", 2), STEPS)
                        .warmupEpochs())
                .isEqualTo(1);
    }

    @Test
    void depthExpansionDecaysOnStaleEpochsGrowsBelowTargetAndStopsAfterFineTuning() {
        TrainingOptions options =
                TrainingOptions.defaults("depth-expansion", 100).withTarget(0.9, 6);
        DepthExpansionSchedule schedule = new DepthExpansionSchedule(SPACE, options, STEPS);
        int epoch = schedule.warmupEpochs();
        schedule.validated(epoch++, 0.80);
        // 0.80004 rounds to 0.800 during the search: not an improvement
        for (int i = 0; i < 5; i++) {
            schedule.validated(epoch++, 0.80004);
        }
        assertThat(schedule.state().decays()).isEqualTo(1);
        assertThat(schedule.learningRate(epoch * STEPS)).isCloseTo(0.06, offset(1e-12));
        assertThat(schedule.state().level()).isEqualTo(1);
        schedule.validated(epoch++, 0.7);
        assertThat(schedule.state().level()).isEqualTo(2);
        assertThat(schedule.state().staleEpochs()).isZero();
        assertThat(schedule.state().decays()).isZero();
        assertThat(schedule.learningRate(epoch * STEPS)).isCloseTo(0.05, offset(1e-12));
        assertThat(schedule.atEpochStart(epoch))
                .containsExactly(
                        new Schedule.EpochStart.RestoreFrozenWeights(), new Schedule.EpochStart.ResetOptimizer());
        assertThat(schedule.atEpochStart(epoch)).isEmpty();
        assertThat(schedule.validateAfter(epoch)).contains(schedule.levels().get(1));

        schedule.validated(epoch++, 0.85);
        for (int i = 0; i < 6; i++) {
            schedule.validated(epoch++, 0.84);
        }
        assertThat(schedule.learningRate(epoch * STEPS)).isCloseTo(0.05, offset(1e-12));
        assertThat(schedule.state().level()).isEqualTo(3);

        String saved = schedule.saveState();
        schedule.validated(epoch++, 0.896);
        assertThat(schedule.state().fineTuning())
                .as("0.896 is within the 0.5-point tolerance")
                .isTrue();
        assertThat(schedule.phaseAt(epoch).name()).isEqualTo("fine-tune depth 3/7");
        for (int i = 0; i < 5; i++) {
            schedule.validated(epoch++, 0.896);
        }
        assertThat(schedule.finished()).isFalse();
        schedule.validated(epoch, 0.8959);
        assertThat(schedule.finished()).isTrue();
        assertThat(schedule.validateAfter(epoch + 1)).isEmpty();
        assertThat(schedule.report())
                .containsEntry("optimalDepth", 3)
                .containsEntry("converged", true)
                .containsEntry("validations", 21);
        assertThat(schedule.reportedSubnets(SPACE).get("optimal"))
                .isEqualTo(schedule.levels().get(2));

        DepthExpansionSchedule restored = new DepthExpansionSchedule(SPACE, options, STEPS);
        restored.restoreState(saved);
        assertThat(restored.state().level()).isEqualTo(3);
        assertThat(restored.state().history()).hasSize(14);
        assertThat(restored.saveState()).isEqualTo(saved);
    }
}
