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

    private static TrainingOptions deps(int epochs, int epsilonEpochs) {
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
                0);
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
}
