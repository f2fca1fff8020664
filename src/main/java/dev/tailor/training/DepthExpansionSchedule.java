package dev.tailor.training;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.supernet.Supernet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import tools.jackson.databind.json.JsonMapper;

/**
 * Optimally Deep Networks' progressive depth expansion, after the notebooks (research notes
 * section 3), on this supernet's depth chain: level 1 has every stage at its smallest depth, and
 * each level adds one block, stage after stage in turn, up to the largest subnet; kernels, expand
 * ratios and resolution stay at their largest. Each level classifies with its own exit head.
 *
 * <ol>
 *   <li>Warm-up: every level's cross-entropy, deepest first, summed into one step, at a tenth of
 *       the learning rate with cosine decay; the weights after it are kept.
 *   <li>Train the current level alone (level 1 first) at the learning rate, validating after every
 *       epoch (accuracy rounded to 0.1 %); every 5 epochs without a better accuracy multiply the
 *       rate by 0.6; {@code patience} such epochs mean converged.
 *   <li>Converged below target - 0.5 points: next level, warm-up weights reloaded, a fresh
 *       optimizer at half the learning rate.
 *   <li>Target reached, deepest level reached, or converged: fine-tune at that level (accuracy
 *       rounded to 0.01 %) until {@code patience} epochs pass without a better one. That level is
 *       the optimal depth.
 * </ol>
 *
 * The epoch budget caps all of it; a run whose budget ends first reports the level it was training
 * (no level is added after the last epoch) and says that it had not converged.
 */
final class DepthExpansionSchedule implements Schedule {

    static final double TOLERANCE = 0.005;
    static final int DECAY_EVERY = 5;
    static final double DECAY = 0.6;
    static final int ODN_WARMUP_EPOCHS = 3;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SearchSpace space;
    private final TrainingOptions options;
    private final int stepsPerEpoch;
    private final int warmupEpochs;
    private final List<SubnetConfig> levels;
    private final LearningRate warmupRate;
    private State state;

    /** Everything the schedule decided from validation accuracies; goes into every checkpoint. */
    record State(
            int level,
            double bestValidation,
            int staleEpochs,
            int decays,
            boolean halvedRate,
            boolean fineTuning,
            boolean restorePending,
            boolean finished,
            List<Validation> history) {

        State {
            history = List.copyOf(history);
        }
    }

    /** One epoch's validation of the level it trained. */
    record Validation(int epoch, int level, double top1) {}

    DepthExpansionSchedule(SearchSpace space, TrainingOptions options, int stepsPerEpoch) {
        this.space = space;
        this.options = options;
        this.stepsPerEpoch = stepsPerEpoch;
        // ODN warms up for 3 epochs; a short budget keeps at least three quarters for the search
        this.warmupEpochs = Math.max(1, Math.min(ODN_WARMUP_EPOCHS, options.epochs() / 4));
        this.levels = depthChain(space);
        this.warmupRate =
                new LearningRate(options.learningRate() / 10, 0, 0, Math.max(1, (long) warmupEpochs * stepsPerEpoch));
        this.state = new State(1, 0, 0, 0, false, false, false, false, List.of());
    }

    /** Level k (from 1) as a subnet: the smallest depths plus k - 1 blocks, added stage by stage in turn. */
    static List<SubnetConfig> depthChain(SearchSpace space) {
        int stages = space.stages().size();
        int minDepth = space.depths().get(0);
        List<Integer> depths = new ArrayList<>(Collections.nCopies(stages, minDepth));
        List<SubnetConfig> chain = new ArrayList<>();
        chain.add(uniformWidth(space, depths));
        for (int level = 1; level < Supernet.exitHeadsPerDepth(space); level++) {
            int stage = (level - 1) % stages;
            depths.set(stage, depths.get(stage) + 1);
            chain.add(uniformWidth(space, depths));
        }
        return List.copyOf(chain);
    }

    private static SubnetConfig uniformWidth(SearchSpace space, List<Integer> depths) {
        int blocks = depths.stream().mapToInt(Integer::intValue).sum();
        return new SubnetConfig(
                space.maxResolution(),
                List.copyOf(depths),
                Collections.nCopies(blocks, space.maxKernel()),
                Collections.nCopies(blocks, space.maxExpand()));
    }

    @Override
    public String name() {
        return "depth-expansion";
    }

    @Override
    public List<Phase> phases() {
        return List.of(new Phase("warm-up", 0, warmupEpochs), new Phase("expansion", warmupEpochs, options.epochs()));
    }

    /** The warm-up, then the level being trained or fine-tuned. */
    @Override
    public Phase phaseAt(int epoch) {
        if (epoch < warmupEpochs) {
            return phases().get(0);
        }
        String name = (state.fineTuning() ? "fine-tune depth " : "depth ") + state.level() + "/" + levels.size();
        return new Phase(name, warmupEpochs, options.epochs());
    }

    @Override
    public int exitHeads() {
        return levels.size();
    }

    List<SubnetConfig> levels() {
        return levels;
    }

    int warmupEpochs() {
        return warmupEpochs;
    }

    State state() {
        return state;
    }

    @Override
    public double learningRate(long globalStep) {
        if (globalStep < (long) warmupEpochs * stepsPerEpoch) {
            return warmupRate.at(globalStep);
        }
        double base = state.halvedRate() ? options.learningRate() / 2 : options.learningRate();
        return base * Math.pow(DECAY, state.decays());
    }

    @Override
    public List<EpochStart> atEpochStart(int epoch) {
        if (epoch == warmupEpochs) {
            return List.of(new EpochStart.FreezeTeacher(), new EpochStart.ResetOptimizer());
        }
        if (epoch > warmupEpochs && state.restorePending()) {
            state = new State(
                    state.level(),
                    state.bestValidation(),
                    state.staleEpochs(),
                    state.decays(),
                    state.halvedRate(),
                    state.fineTuning(),
                    false,
                    state.finished(),
                    state.history());
            return List.of(new EpochStart.RestoreFrozenWeights(), new EpochStart.ResetOptimizer());
        }
        return List.of();
    }

    @Override
    public List<SubnetRun> plan(int epoch, long globalStep, Random random) {
        if (epoch < warmupEpochs) {
            List<SubnetRun> runs = new ArrayList<>();
            for (int level = levels.size() - 1; level >= 0; level--) {
                runs.add(new SubnetRun(levels.get(level), SubnetRun.Target.LABELS, 1, true));
            }
            return runs;
        }
        return List.of(new SubnetRun(current(), SubnetRun.Target.LABELS, 1, true));
    }

    SubnetConfig current() {
        return levels.get(state.level() - 1);
    }

    @Override
    public Optional<SubnetConfig> validateAfter(int epoch) {
        return epoch >= warmupEpochs && !state.finished() ? Optional.of(current()) : Optional.empty();
    }

    @Override
    public void validated(int epoch, double top1) {
        double precision = state.fineTuning() ? 1e-4 : 1e-3;
        double rounded = Math.round(top1 / precision) * precision;
        int level = state.level();
        double best = state.bestValidation();
        int stale = state.staleEpochs();
        int decays = state.decays();
        boolean halved = state.halvedRate();
        boolean fineTuning = state.fineTuning();
        boolean restore = state.restorePending();
        boolean finished = state.finished();
        List<Validation> history = new ArrayList<>(state.history());
        history.add(new Validation(epoch, level, top1));
        double goal = options.targetAccuracy() - TOLERANCE;
        if (rounded > best) {
            best = rounded;
            stale = 0;
        } else {
            stale++;
            if (stale % DECAY_EVERY == 0) {
                decays++;
            }
        }
        // a depth chosen after the budget's last epoch would never train: the run reports the one it trained
        boolean budgetLeft = epoch < options.epochs() - 1;
        if (stale >= options.patience() && best <= goal && !fineTuning && budgetLeft) {
            level = Math.min(level + 1, levels.size());
            best = 0;
            stale = 0;
            decays = 0;
            halved = true;
            restore = true;
        }
        if (!fineTuning && (stale >= options.patience() || best >= goal || level == levels.size())) {
            fineTuning = true;
        }
        if (fineTuning && stale >= options.patience()) {
            finished = true;
        }
        state = new State(level, best, stale, decays, halved, fineTuning, restore, finished, history);
    }

    @Override
    public boolean finished() {
        return state.finished();
    }

    @Override
    public String saveState() {
        return JSON.writeValueAsString(state);
    }

    @Override
    public void restoreState(String json) {
        if (json == null) {
            throw new IllegalArgumentException("checkpoint has no depth-expansion state");
        }
        state = JSON.readValue(json, State.class);
    }

    @Override
    public Map<String, SubnetConfig> reportedSubnets(SearchSpace space) {
        Map<String, SubnetConfig> reported = new LinkedHashMap<>();
        reported.put("largest", levels.get(levels.size() - 1));
        reported.put("smallest", levels.get(0));
        reported.put("optimal", current());
        return reported;
    }

    @Override
    public Map<String, Object> report() {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("optimalDepth", state.level());
        report.put("depthLevels", levels.size());
        report.put("optimalConfig", current().canonicalJson());
        report.put("converged", state.finished());
        report.put("bestValidationTop1", state.bestValidation());
        report.put("targetAccuracy", options.targetAccuracy());
        report.put("validations", state.history().size());
        return report;
    }
}
