package dev.tailor.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailor.space.SearchSpace;
import dev.tailor.training.GeneratedImages;
import dev.tailor.training.Trainer;
import dev.tailor.training.TrainingData;
import dev.tailor.training.TrainingOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xml.sax.InputSource;

class ScheduleComparisonTest {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);
    private static final double BUDGET = 20.0 / 3600;

    /**
     * 256 images, 64 of them held out for validation: every test's epochs are a few steps of 32, and
     * every probe scored after an epoch is BN-recalibrated on the whole training split (the runs' 2,000
     * calibration images capped by it), so a larger split only slows the tests.
     */
    private static TrainingData smallData() {
        return TrainingData.prepare("generated", GeneratedImages.make(256, 64, 10, 3), 64, 1);
    }

    private static ScheduleComparison comparison(TrainingData data, double cpuHours, Path state) {
        ScheduleComparison comparison = new ScheduleComparison(SPACE, data, cpuHours, 32, 2, state);
        comparison.stepPrices = ScheduleComparisonTest::fixedPrices;
        return comparison;
    }

    /** deps's warm-up step 1 s, its four-subnet step 4 s, sandwich's (the same four subnets) 4 s. */
    private static Map<String, Map<String, Double>> fixedPrices(List<TrainingOptions> schedules) {
        return pricesTimes(schedules, 1.0);
    }

    private static Map<String, Map<String, Double>> pricesTimes(List<TrainingOptions> schedules, double factor) {
        Map<String, Map<String, Double>> prices = new java.util.LinkedHashMap<>();
        for (TrainingOptions options : schedules) {
            prices.put(
                    options.schedule(),
                    options.schedule().equals("sandwich")
                            ? Map.of("sandwich", 4.0 * factor)
                            : Map.of("full-model", 1.0 * factor, "shrinking", 4.0 * factor));
        }
        return prices;
    }

    @Test
    void theBudgetBuysTheMostEpochsWhosePhasesItPaysFor() {
        // deps: a warm-up step costs 1 s, a shrinking step 4 s; 10 steps per epoch
        Map<String, Double> costs = Map.of("full-model", 1.0, "shrinking", 4.0);
        int stepsPerEpoch = 10;
        var phases = (java.util.function.IntFunction<List<Trainer.PlannedPhase>>)
                epochs -> Trainer.plannedPhases(SPACE, TrainingOptions.defaults("deps", epochs), stepsPerEpoch);
        // 8 epochs: 4 x 10 x 1 + 4 x 10 x 4 = 200 s; 9 epochs warm up for 5 (4.5 rounded up): 210 s
        double eightEpochs = ScheduleBudget.cpuSeconds(phases.apply(8), stepsPerEpoch, costs);
        assertThat(eightEpochs).isEqualTo(200.0);
        int epochs = ScheduleBudget.epochsFor(eightEpochs / 3600, stepsPerEpoch, costs, phases);
        assertThat(epochs).isEqualTo(8);
        assertThat(ScheduleBudget.cpuSeconds(phases.apply(epochs + 1), stepsPerEpoch, costs))
                .isGreaterThan(eightEpochs);
        // a budget a little under 8 epochs' cost buys fewer
        assertThat(ScheduleBudget.epochsFor(199.0 / 3600, stepsPerEpoch, costs, phases))
                .isLessThan(8);
        // the cheaper the steps, the more epochs the same budget buys
        Map<String, Double> cheaper = Map.of("full-model", 0.5, "shrinking", 2.0);
        assertThat(ScheduleBudget.epochsFor(eightEpochs / 3600, stepsPerEpoch, cheaper, phases))
                .isEqualTo(16);
    }

    @Test
    void theBudgetIsSpentByShorterEpochsWhereWholeEpochsLeaveSomeUnspent() {
        Map<String, Double> costs = Map.of("full-model", 1.0, "shrinking", 4.0);
        var phases = (java.util.function.IntFunction<List<Trainer.PlannedPhase>>)
                epochs -> Trainer.plannedPhases(SPACE, TrainingOptions.defaults("deps", epochs), 10);
        // 229 s: 9 whole epochs of 10 steps spend 210 s (10 would cost 250); 10 epochs of 9 steps
        // spend 225 s, and no other count of shorter epochs spends more
        assertThat(ScheduleBudget.plan(229.0 / 3600, 10, costs, phases)).isEqualTo(new ScheduleBudget.Plan(10, 9));
        // whole epochs that spend all of it are kept whole; of equal spends, fewer and longer epochs win
        // (10 epochs of 8 steps would spend the same 200 s)
        assertThat(ScheduleBudget.plan(200.0 / 3600, 10, costs, phases)).isEqualTo(new ScheduleBudget.Plan(8, 10));
    }

    @Test
    void aPhasePriceIsTheMeanOfItsStepsSoThatRareDearStepsAreCharged() {
        // random subnets: most steps cheap, some at the largest resolution dear; a median would say 1
        Map<String, Double> prices = ScheduleBudget.prices(Map.of("elastic-kernel", List.of(1.0, 1.0, 1.0, 4.0, 3.0)));
        assertThat(prices).containsEntry("elastic-kernel", 2.0);
    }

    @Test
    void theSchedulesFlagPicksSomeInTheComparisonsOrderAndRefusesUnknownOnes() {
        assertThat(BenchCommand.schedules("sandwich,deps")).containsExactly("deps", "sandwich");
        assertThat(BenchCommand.schedules(" deps ")).containsExactly("deps");
        assertThatThrownBy(() -> BenchCommand.schedules("deps,bignas"))
                .hasMessageContaining("--schedules")
                .hasMessageContaining("bignas");
        assertThatThrownBy(() -> BenchCommand.schedules("deps,deps")).hasMessageContaining("twice");
        assertThatThrownBy(() -> BenchCommand.schedules("")).hasMessageContaining("--schedules");
    }

    @Test
    void aBudgetThatCannotPayForOneEpochIsRefusedWithTheFlagNamed() {
        Map<String, Double> costs = Map.of("full-model", 1.0, "shrinking", 4.0);
        assertThatThrownBy(() -> ScheduleBudget.epochsFor(
                        1e-6,
                        10,
                        costs,
                        epochs -> Trainer.plannedPhases(SPACE, TrainingOptions.defaults("deps", epochs), 10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--cpu-hours");
        assertThatThrownBy(() -> ScheduleBudget.epochsFor(
                        1,
                        10,
                        Map.of("full-model", 1.0),
                        epochs -> Trainer.plannedPhases(SPACE, TrainingOptions.defaults("deps", epochs), 10)))
                .hasMessageContaining("shrinking");
    }

    @Test
    void everyScheduleIsPricedBeforeAnyTrainsAndAStoppedOneEndsThePart(@TempDir Path state) {
        TrainingData data = smallData();
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        List<String> events = new java.util.ArrayList<>();
        ScheduleComparison comparison = new ScheduleComparison(SPACE, data, BUDGET, 32, 2, state);
        comparison.stepPrices = schedules -> {
            events.add("price "
                    + String.join(
                            ",",
                            schedules.stream().map(TrainingOptions::schedule).toList())
                    + (Files.exists(state.resolve("deps.ckpt")) ? " after deps" : ""));
            return fixedPrices(schedules);
        };
        comparison.stopAfterEpochs = 1;

        assertThat(comparison.run(List.of("deps", "sandwich"), log)).isEmpty();

        // both were priced in one pilot, whose runs take turns, before deps trained a step
        assertThat(events).containsExactly("price deps,sandwich");
        assertThat(comparison.read("deps").epochs()).hasSize(1);
        // deps stopped, so sandwich did not start (it would only have stopped at once)
        ScheduleComparison.ScheduleState sandwich = comparison.read("sandwich");
        assertThat(sandwich.epochs()).isEmpty();
        assertThat(sandwich.stepCostSeconds()).containsOnlyKeys("sandwich");
        assertThat(Files.exists(state.resolve("sandwich.ckpt"))).isFalse();

        // the next part prices nothing again and finishes both
        ScheduleComparison next = comparison(data, BUDGET, state);
        next.stepPrices = schedules -> {
            throw new AssertionError("priced again: " + schedules);
        };
        assertThat(next.run(List.of("deps", "sandwich"), log))
                .extracting(ScheduleComparison.ScheduleState::schedule)
                .containsExactly("deps", "sandwich");
    }

    @Test
    void aSeedTrainsEveryScheduleWithItAndAnotherSeedsStateIsNotResumed(@TempDir Path state) {
        TrainingData data = smallData();
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ScheduleComparison seeded = new ScheduleComparison(SPACE, data, BUDGET, 32, 2, state, 2);
        seeded.stepPrices = ScheduleComparisonTest::fixedPrices;
        seeded.stopAfterEpochs = 0;
        assertThat(seeded.run(List.of("deps", "sandwich"), log)).isEmpty();
        assertThat(seeded.read("deps").options().seed()).isEqualTo(2);
        assertThat(seeded.read("sandwich").options().seed()).isEqualTo(2);
        // the probes do not depend on it: every seed is read on the same subnets
        assertThat(seeded.probes()).isEqualTo(comparison(data, BUDGET, state).probes());

        assertThatThrownBy(() -> comparison(data, BUDGET, state).run(List.of("deps"), log))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("other settings");
    }

    /**
     * State kept with another warm-up share, as all of it would be after that default changed:
     * sandwich, which never reads it, is kept (it used to be refused with the rest); deps, which
     * trains otherwise, is refused.
     */
    @Test
    void aSettingTheScheduleDoesNotReadKeepsItsStateWhenItsDefaultChanges(@TempDir Path state) throws Exception {
        TrainingData data = smallData();
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ScheduleComparison first = comparison(data, BUDGET, state);
        first.stopAfterEpochs = 0;
        first.run(List.of("deps", "sandwich"), log);
        for (String schedule : List.of("deps", "sandwich")) {
            Path file = state.resolve(schedule + ".json");
            String json = Files.readString(file);
            String older = json.replaceFirst("\"warmupFraction\":[0-9.eE-]+", "\"warmupFraction\":0.4");
            assertThat(older).isNotEqualTo(json);
            Files.writeString(file, older);
        }

        ScheduleComparison later = comparison(data, BUDGET, state);
        assertThat(later.read("sandwich").options().warmupFraction()).isEqualTo(0.4);
        assertThatThrownBy(() -> later.read("deps"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("other settings");
    }

    /**
     * A state file written before {@code randomErase} existed (a comparison begun before 4b9cb0f) has no
     * such option: it was refused as unreadable, so a comparison could not go on across that upgrade. It
     * reads as the code before it trained, without erasing.
     */
    @Test
    void aStateFileWrittenBeforeAnOptionExistedReadsAsTheCodeBeforeItTrained(@TempDir Path state) throws Exception {
        TrainingData data = smallData();
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ScheduleComparison first = comparison(data, BUDGET, state);
        first.stopAfterEpochs = 0;
        first.run(List.of("deps"), log);
        ScheduleComparison.ScheduleState written = first.read("deps");
        Path file = state.resolve("deps.json");
        String json = Files.readString(file);
        String older = json.replaceFirst(",?\"randomErase\":[0-9.eE-]+", "");
        assertThat(older).isNotEqualTo(json).doesNotContain("randomErase");
        Files.writeString(file, older);

        ScheduleComparison later = comparison(data, BUDGET, state);
        assertThat(later.read("deps")).isEqualTo(written);
        assertThat(later.read("deps").options().randomErase()).isZero();
    }

    @Test
    void aScheduleAddedInALaterPartIsPricedBesideTheEarlierOnesAndScaledToTheirYardstick(@TempDir Path state) {
        TrainingData data = smallData();
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ScheduleComparison first = comparison(data, BUDGET, state);
        first.stopAfterEpochs = 0;
        assertThat(first.run(List.of("deps"), log)).isEmpty();
        ScheduleComparison.ScheduleState deps = first.read("deps");
        assertThat(deps.priceScale()).isNull();

        // a later part, on a machine running 1.5 times slower: deps is priced again beside sandwich,
        // though only sandwich was asked for, and today's prices are brought back to deps's
        List<List<String>> priced = new java.util.ArrayList<>();
        ScheduleComparison later = comparison(data, BUDGET, state);
        later.stopAfterEpochs = 0;
        later.stepPrices = schedules -> {
            priced.add(schedules.stream().map(TrainingOptions::schedule).toList());
            return pricesTimes(schedules, 1.5);
        };
        assertThat(later.run(List.of("sandwich"), log)).isEmpty();

        assertThat(priced).containsExactly(List.of("deps", "sandwich"));
        ScheduleComparison.ScheduleState sandwich = later.read("sandwich");
        assertThat(sandwich.priceScale()).isCloseTo(1 / 1.5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(sandwich.stepCostSeconds().get("sandwich"))
                .isCloseTo(4.0, org.assertj.core.data.Offset.offset(1e-12));
        // at deps's yardstick 20 s buy sandwich 2 epochs of 2 steps of 4 s; deps's plan is untouched
        assertThat(sandwich.plannedCpuHours()).isLessThanOrEqualTo(BUDGET).isGreaterThan(BUDGET / 2);
        assertThat(later.read("deps")).isEqualTo(deps);

        // had sandwich been priced alone today, the same budget would have bought less work
        ScheduleComparison alone = comparison(data, BUDGET, state.resolve("alone"));
        alone.stopAfterEpochs = 0;
        alone.stepPrices = schedules -> pricesTimes(schedules, 1.5);
        alone.run(List.of("sandwich"), log);
        assertThat(alone.read("sandwich").options().epochs()
                        * alone.read("sandwich").options().maxStepsPerEpoch())
                .isLessThan(sandwich.options().epochs() * sandwich.options().maxStepsPerEpoch());
    }

    @Test
    void thePilotsTakeTurnsAndPriceEveryPhaseOfEverySchedule() {
        TrainingData data = smallData();
        List<TrainingOptions> schedules = List.of("deps", "sandwich").stream()
                .map(s -> TrainingOptions.defaults(s, 1).withBatchSize(32).withLimits(64, 64, 3))
                .toList();
        Map<String, Map<String, Double>> prices =
                ScheduleBudget.measureStepCosts(SPACE, data, schedules, () -> false, 2, 3);
        assertThat(prices).containsOnlyKeys("deps", "sandwich");
        assertThat(prices.get("deps")).containsOnlyKeys("full-model", "shrinking");
        assertThat(prices.get("sandwich")).containsOnlyKeys("sandwich");
        assertThat(prices.values())
                .allSatisfy(byPhase -> assertThat(byPhase.values())
                        .allSatisfy(seconds -> assertThat(seconds).isPositive()));
        // a stop asked for (Ctrl-C, SIGTERM) ends the pilots at a step boundary and prices nothing
        assertThat(ScheduleBudget.measureStepCosts(SPACE, data, schedules, () -> true, 2, 3))
                .isNull();
    }

    @Test
    void pilotTurnsGoRoundTheRingAndSkipAPilotThatLeft() throws Exception {
        PilotTurns turns = new PilotTurns(3);
        List<Integer> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        int[] turnsWanted = {3, 1, 3};
        List<Thread> threads = new java.util.ArrayList<>();
        for (int pilot = 2; pilot >= 0; pilot--) {
            int id = pilot;
            Thread thread = new Thread(() -> {
                try {
                    turns.await(id);
                    for (int k = 0; k < turnsWanted[id]; k++) {
                        order.add(id);
                        if (k < turnsWanted[id] - 1) {
                            turns.passAndAwait(id);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    turns.leave(id);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(10_000);
            assertThat(thread.isAlive()).isFalse();
        }
        assertThat(order).containsExactly(0, 1, 2, 0, 2, 0, 2);
    }

    @Test
    void aStoppedScheduleResumesFromItsCheckpointAndAFinishedOneIsKept(@TempDir Path state) throws Exception {
        TrainingData data = smallData();
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        // fixed step prices, so that the budget buys the same epochs on any machine: 2 steps per
        // epoch, 4 epochs = 2 x 2 x 1 s + 2 x 2 x 4 s = 20 s (the pilot that measures them takes minutes)
        ScheduleComparison first = comparison(data, BUDGET, state);
        first.stopAfterEpochs = 1;
        ScheduleComparison.ScheduleState stopped = first.runOne("deps", log);
        assertThat(stopped.result()).isNull();
        assertThat(stopped.epochs()).hasSize(1);
        int planned = stopped.options().epochs();
        assertThat(planned).isEqualTo(4);
        assertThat(stopped.plannedCpuHours()).isEqualTo(BUDGET);
        assertThat(stopped.stepCostSeconds()).containsOnlyKeys("full-model", "shrinking");
        assertThat(Files.exists(state.resolve("deps.ckpt"))).isTrue();

        ScheduleComparison second = comparison(data, BUDGET, state);
        ScheduleComparison.ScheduleState done = second.runOne("deps", log);
        assertThat(done.options()).isEqualTo(stopped.options());
        assertThat(done.epochs())
                .extracting(ScheduleComparison.EpochRecord::epoch)
                .containsExactlyElementsOf(IntStream.range(0, planned).boxed().toList());
        assertThat(done.epochs())
                .extracting(ScheduleComparison.EpochRecord::cpuHours)
                .isSorted();
        assertThat(done.epochs()).allSatisfy(r -> {
            assertThat(r.probes()).hasSize(10);
            assertThat(r.probeMean()).isBetween(0.0, 1.0);
        });
        assertThat(done.result().test()).hasSize(10);
        assertThat(done.result().validation()).hasSize(10);
        assertThat(Files.exists(state.resolve("deps.ckpt"))).isFalse();

        // a third run trains nothing: the finished schedule is read back as it was
        ScheduleComparison.ScheduleState kept = comparison(data, BUDGET, state).runOne("deps", log);
        assertThat(kept).isEqualTo(done);

        // another budget on the same state directory is refused, not mixed in
        assertThatThrownBy(() -> comparison(data, 2 * BUDGET, state).runOne("deps", log))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("--state");

        // the chart's axis: the epochs at their phases' prices, which add up to what was planned
        assertThat(ScheduleComparison.pricedCpuHours(
                        done, done.epochs().get(planned - 1), data.train().size()))
                .isCloseTo(done.plannedCpuHours(), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(ScheduleComparison.pricedCpuHours(
                        done, done.epochs().get(0), data.train().size()))
                .isCloseTo(2 * 1.0 / 3600, org.assertj.core.data.Offset.offset(1e-12));

        String svg = ScheduleChart.svg(List.of(done), data.train().size());
        var document =
                DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(svg)));
        assertThat(document.getElementsByTagName("path").getLength()).isEqualTo(3);
        assertThat(svg).contains("deps, probe mean").contains("training CPU-hours");
        assertThat(ScheduleChart.svg(List.of(done), data.train().size())).isEqualTo(svg);

        List<BenchReport> tables = ScheduleTables.of(List.of(done), data, BUDGET, "tailor bench schedules");
        assertThat(tables.get(1).csv().lines()).hasSize(planned + 1);
        assertThat(tables.get(0).csv()).contains("deps," + planned + ",");
    }

    /** 4 deps epochs of 3 steps at the fixed prices: 2 x 3 x 1 s + 2 x 3 x 4 s = 30 s. */
    private static ScheduleComparison threeStepEpochs(TrainingData data, Path state) {
        return threeStepEpochs(data, state, 1);
    }

    private static ScheduleComparison threeStepEpochs(TrainingData data, Path state, long hoursPerReading) {
        ScheduleComparison comparison = new ScheduleComparison(SPACE, data, 30.0 / 3600, 32, 3, state);
        comparison.stepPrices = ScheduleComparisonTest::fixedPrices;
        // each reading of the CPU clock some hours after the one before: the charges are exact sums
        long[] now = {0};
        comparison.cpuNanos = () -> now[0] += hoursPerReading * 3_600_000_000_000L;
        return comparison;
    }

    /** A kill between two writes, as a second Ctrl-C or the stop's time limit ends the process. */
    private static final class Killed extends RuntimeException {}

    @Test
    void aStopPartWayThroughAnEpochKeepsItsStepsAndSurvivesAKillBetweenItsWrites(@TempDir Path dir) {
        TrainingData data = smallData();
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ScheduleComparison.ScheduleState unbroken =
                threeStepEpochs(data, dir.resolve("unbroken")).runOne("deps", log);
        assertThat(unbroken.options().epochs()).isEqualTo(4);
        assertThat(unbroken.options().maxStepsPerEpoch()).isEqualTo(3);
        Path state = dir.resolve("broken");

        // 2 full-model epochs of 3 steps, then 1 step into the first shrinking epoch
        ScheduleComparison first = threeStepEpochs(data, state);
        first.stopAfterSteps = 7;
        assertThat(first.runOne("deps", log).result()).isNull();
        ScheduleComparison.ScheduleState kept = first.read("deps");
        assertThat(kept.epochs())
                .extracting(ScheduleComparison.EpochRecord::cpuHours)
                .containsExactly(1.0, 2.0);
        assertThat(kept.partEpochs())
                .extracting(p -> List.of(p.epoch(), p.steps(), p.cpuHours()))
                .containsExactly(List.of(2, 1, 3.0));

        // resumed, and stopped a step later, but killed before the new checkpoint replaced the old
        ScheduleComparison second = threeStepEpochs(data, state);
        second.stopAfterSteps = 1;
        second.betweenWrites = at -> {
            if (at.equals("part")) {
                throw new Killed();
            }
        };
        assertThatThrownBy(() -> second.runOne("deps", log)).isInstanceOf(Killed.class);
        assertThat(second.read("deps").partEpochs())
                .extracting(p -> List.of(p.epoch(), p.steps(), p.cpuHours()))
                .containsExactly(List.of(2, 1, 3.0), List.of(2, 2, 4.0));

        // the checkpoint after step 1 resumes; killed again, between the epoch's record and its checkpoint
        // (its clock ten hours a reading, so that a record it left behind would show)
        ScheduleComparison third = threeStepEpochs(data, state, 10);
        third.betweenWrites = at -> {
            if (at.equals("epoch")) {
                throw new Killed();
            }
        };
        ByteArrayOutputStream thirdLog = new ByteArrayOutputStream();
        assertThatThrownBy(() -> third.runOne("deps", new PrintStream(thirdLog, true, StandardCharsets.UTF_8)))
                .isInstanceOf(Killed.class);
        assertThat(thirdLog.toString(StandardCharsets.UTF_8)).contains("deps resumes at epoch 3 of 4, step 2");
        ScheduleComparison.ScheduleState killedAtTheEnd = third.read("deps");
        assertThat(killedAtTheEnd.epochs())
                .extracting(ScheduleComparison.EpochRecord::cpuHours)
                .containsExactly(1.0, 2.0, 13.0);
        assertThat(killedAtTheEnd.partEpochs())
                .extracting(p -> List.of(p.epoch(), p.steps(), p.cpuHours()))
                .containsExactly(List.of(2, 1, 3.0));

        // and once more from it, to the end: every epoch and the final scores as the unbroken run's
        ByteArrayOutputStream lastLog = new ByteArrayOutputStream();
        ScheduleComparison.ScheduleState done =
                threeStepEpochs(data, state).runOne("deps", new PrintStream(lastLog, true, StandardCharsets.UTF_8));
        assertThat(lastLog.toString(StandardCharsets.UTF_8)).contains("deps resumes at epoch 3 of 4, step 2");
        // the epoch stopped part-way is charged the hour before the stop and the hour after the resume
        assertThat(done.epochs())
                .extracting(ScheduleComparison.EpochRecord::cpuHours)
                .containsExactly(1.0, 2.0, 4.0, 5.0);
        assertThat(done.epochs())
                .extracting(ScheduleComparison.EpochRecord::probes)
                .containsExactlyElementsOf(unbroken.epochs().stream()
                        .map(ScheduleComparison.EpochRecord::probes)
                        .toList());
        assertThat(done.result()).isEqualTo(unbroken.result());
    }

    /**
     * The other three places a kill can fall between two writes: after a stop's checkpoint (the state
     * still names the earlier stop too), after an epoch's checkpoint, and after the final scores, before
     * the checkpoint is removed. Each run after a kill resumes where the files say, the charges add up as
     * in one run, and the finished schedule leaves no checkpoint behind.
     */
    @Test
    void killsAfterACheckpointOrTheFinalScoresResumeWhereTheFilesSay(@TempDir Path state) {
        TrainingData data = smallData();
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Path checkpoint = state.resolve("deps.ckpt");
        ScheduleComparison first = threeStepEpochs(data, state);
        first.stopAfterSteps = 7;
        assertThat(first.runOne("deps", log).result()).isNull();

        // stopped a step later, killed once the new checkpoint is written but before the state forgets the old stop
        ScheduleComparison second = threeStepEpochs(data, state);
        second.stopAfterSteps = 1;
        second.betweenWrites = killAt("part-checkpoint");
        assertThatThrownBy(() -> second.runOne("deps", log)).isInstanceOf(Killed.class);
        assertThat(second.read("deps").partEpochs())
                .extracting(p -> List.of(p.epoch(), p.steps(), p.cpuHours()))
                .containsExactly(List.of(2, 1, 3.0), List.of(2, 2, 4.0));

        // resumes after step 2, the newer stop's charge carried; killed once the epoch's checkpoint is written
        ScheduleComparison third = threeStepEpochs(data, state);
        third.betweenWrites = killAt("epoch-checkpoint");
        ByteArrayOutputStream thirdLog = new ByteArrayOutputStream();
        assertThatThrownBy(() -> third.runOne("deps", new PrintStream(thirdLog, true, StandardCharsets.UTF_8)))
                .isInstanceOf(Killed.class);
        assertThat(thirdLog.toString(StandardCharsets.UTF_8)).contains("deps resumes at epoch 3 of 4, step 3");
        assertThat(third.read("deps").epochs())
                .extracting(ScheduleComparison.EpochRecord::cpuHours)
                .containsExactly(1.0, 2.0, 5.0);

        // resumes at the next epoch's start; killed once the final scores are written
        ScheduleComparison fourth = threeStepEpochs(data, state);
        fourth.betweenWrites = killAt("result");
        ByteArrayOutputStream fourthLog = new ByteArrayOutputStream();
        assertThatThrownBy(() -> fourth.runOne("deps", new PrintStream(fourthLog, true, StandardCharsets.UTF_8)))
                .isInstanceOf(Killed.class);
        assertThat(fourthLog.toString(StandardCharsets.UTF_8))
                .contains("deps resumes at epoch 4 of 4")
                .doesNotContain("epoch 4 of 4, step");
        ScheduleComparison.ScheduleState scored = fourth.read("deps");
        assertThat(scored.result()).isNotNull();
        assertThat(scored.epochs())
                .extracting(ScheduleComparison.EpochRecord::cpuHours)
                .containsExactly(1.0, 2.0, 5.0, 6.0);
        assertThat(checkpoint).exists();

        // the finished schedule is kept as scored, and its checkpoint goes
        ByteArrayOutputStream lastLog = new ByteArrayOutputStream();
        ScheduleComparison.ScheduleState kept =
                threeStepEpochs(data, state).runOne("deps", new PrintStream(lastLog, true, StandardCharsets.UTF_8));
        assertThat(lastLog.toString(StandardCharsets.UTF_8)).contains("deps finished in an earlier part; kept");
        assertThat(kept.result()).isEqualTo(scored.result());
        assertThat(kept.epochs()).isEqualTo(scored.epochs());
        assertThat(checkpoint).doesNotExist();
    }

    private static java.util.function.Consumer<String> killAt(String point) {
        return at -> {
            if (at.equals(point)) {
                throw new Killed();
            }
        };
    }

    @Test
    void aCheckpointPartWayThroughAnEpochWithoutItsChargeIsRefused(@TempDir Path state) throws Exception {
        TrainingData data = smallData();
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ScheduleComparison first = comparison(data, BUDGET, state);
        first.stopAfterSteps = 3;
        first.runOne("deps", log);
        // as a state file of older code reads: no partEpochs at all
        Path file = state.resolve("deps.json");
        tools.jackson.databind.json.JsonMapper json =
                tools.jackson.databind.json.JsonMapper.builder().build();
        tools.jackson.databind.node.ObjectNode tree =
                (tools.jackson.databind.node.ObjectNode) json.readTree(file.toFile());
        tools.jackson.databind.JsonNode parts = tree.remove("partEpochs");
        assertThat(parts.size()).isEqualTo(1);
        // 65b2b80 wrote the one part it kept as partEpoch
        tree.set("partEpoch", parts.get(0));
        json.writeValue(file.toFile(), tree);
        assertThat(first.read("deps").partEpochs())
                .extracting(p -> List.of(p.epoch(), p.steps()))
                .containsExactly(List.of(1, 1));
        tree.remove("partEpoch");
        json.writeValue(file.toFile(), tree);
        assertThat(first.read("deps").partEpochs()).isEmpty();

        assertThatThrownBy(() -> comparison(data, BUDGET, state).runOne("deps", log))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("--state")
                .hasMessageContaining("step 1 of epoch 2");
    }
}
