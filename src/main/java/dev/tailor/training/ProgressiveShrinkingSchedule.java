package dev.tailor.training;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * OFA's progressive shrinking (research notes section 1.3), its 605 epochs scaled to the budget in
 * the same proportions: full network, elastic kernel, depth in two phases, expand ratio in two
 * phases. After the full phase the trained network is frozen as the teacher: every later subnet
 * learns from labels plus distillation from it. Each phase has its own cosine schedule; its peak
 * learning rate is OFA's per-phase base rate relative to the full network's (2.6/32 per GPU),
 * and its warm-up is OFA's 5 epochs per 125 where OFA warms up. Channels are reorganised at the
 * start of each expand phase, keeping the widths already trained nested. The image size is drawn
 * per step from the space's resolutions, as OFA's elastic resolution does per batch.
 */
final class ProgressiveShrinkingSchedule implements Schedule {

    /** Name, OFA epochs (warm-up included), base learning rate relative to the full net's, subnets per step. */
    private record Step(String name, int ofaEpochs, double relativeRate, boolean warmup, int subnetsPerStep) {}

    private static final double FULL_RATE = 2.6 / 32;

    private static final List<Step> OFA_PHASES = List.of(
            new Step("full", 180, 1.0, true, 1),
            new Step("elastic-kernel", 125, 3e-2 / FULL_RATE, true, 1),
            new Step("elastic-depth-1", 25, 2.5e-3 / FULL_RATE, false, 2),
            new Step("elastic-depth-2", 125, 7.5e-3 / FULL_RATE, true, 2),
            new Step("elastic-expand-1", 25, 2.5e-3 / FULL_RATE, false, 4),
            new Step("elastic-expand-2", 125, 7.5e-3 / FULL_RATE, true, 4));

    private static final int OFA_TOTAL = 605;

    private final SearchSpace space;
    private final List<Phase> phases = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private final List<LearningRate> rates = new ArrayList<>();
    private final int stepsPerEpoch;

    ProgressiveShrinkingSchedule(SearchSpace space, TrainingOptions options, int stepsPerEpoch) {
        this.space = space;
        this.stepsPerEpoch = stepsPerEpoch;
        int epochs = options.epochs();
        int cumulative = 0;
        int start = 0;
        for (Step step : OFA_PHASES) {
            cumulative += step.ofaEpochs();
            int end = (int) Math.round((double) epochs * cumulative / OFA_TOTAL);
            if (end > start) {
                phases.add(new Phase(step.name(), start, end));
                steps.add(step);
                long total = (long) (end - start) * stepsPerEpoch;
                long warmup = step.warmup() ? Math.round(total * 5.0 / 125) : 0;
                rates.add(new LearningRate(options.learningRate() * step.relativeRate(), 0, warmup, total));
                start = end;
            }
        }
    }

    @Override
    public String name() {
        return "progressive-shrinking";
    }

    @Override
    public List<Phase> phases() {
        return phases;
    }

    private int phaseIndex(int epoch) {
        return phases.indexOf(phaseAt(epoch));
    }

    @Override
    public double learningRate(long globalStep) {
        int epoch = (int) (globalStep / stepsPerEpoch);
        int index = phaseIndex(epoch);
        long phaseStep = globalStep - (long) phases.get(index).startEpoch() * stepsPerEpoch;
        return rates.get(index).at(phaseStep);
    }

    @Override
    public List<EpochStart> atEpochStart(int epoch) {
        int index = phaseIndex(epoch);
        Phase phase = phases.get(index);
        if (epoch != phase.startEpoch()) {
            return List.of();
        }
        List<EpochStart> due = new ArrayList<>();
        if (index > 0 && steps.get(index - 1).name().equals("full")) {
            due.add(new EpochStart.FreezeTeacher());
        }
        if (phase.name().equals("elastic-expand-1")) {
            due.add(new EpochStart.ReorganizeChannels(1));
        } else if (phase.name().equals("elastic-expand-2")) {
            due.add(new EpochStart.ReorganizeChannels(2));
        }
        return due;
    }

    private static List<Integer> descending(List<Integer> ascending) {
        List<Integer> copy = new ArrayList<>(ascending);
        java.util.Collections.reverse(copy);
        return copy;
    }

    @Override
    public List<SubnetRun> plan(int epoch, long globalStep, Random random) {
        int index = phaseIndex(epoch);
        Step step = steps.get(index);
        int resolution =
                space.resolutions().get(random.nextInt(space.resolutions().size()));
        if (step.name().equals("full")) {
            return List.of(new SubnetRun(
                    DepsSchedule.atResolution(space.largest(), resolution), SubnetRun.Target.LABELS, 1, true));
        }
        List<Integer> kernels = space.kernels();
        List<Integer> depths = List.of(space.maxDepth());
        List<Integer> expands = List.of(space.maxExpand());
        List<Integer> depthsDescending = descending(space.depths());
        List<Integer> expandsDescending = descending(space.expands());
        switch (step.name()) {
            case "elastic-depth-1" -> depths = depthsDescending.subList(0, Math.min(2, depthsDescending.size()));
            case "elastic-depth-2" -> depths = space.depths();
            case "elastic-expand-1" -> {
                depths = space.depths();
                expands = expandsDescending.subList(0, Math.min(2, expandsDescending.size()));
            }
            case "elastic-expand-2" -> {
                depths = space.depths();
                expands = space.expands();
            }
            default -> {}
        }
        List<SubnetRun> runs = new ArrayList<>();
        for (int i = 0; i < step.subnetsPerStep(); i++) {
            SubnetConfig config = space.sample(random, kernels, depths, expands, List.of(resolution));
            runs.add(new SubnetRun(config, SubnetRun.Target.LABELS_AND_FROZEN_TEACHER, 1, true));
        }
        return runs;
    }
}
