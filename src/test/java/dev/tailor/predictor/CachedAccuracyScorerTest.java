package dev.tailor.predictor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CachedAccuracyScorerTest {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);
    private static final AccuracyPredictor PREDICTOR =
            new AccuracyPredictor(MlpWeights.initialised(75, 64, new SplittableRandom(31)), 0.8);

    @Test
    void cachedScoresEqualThePredictorsAndOnlyMissesAreScored() {
        List<SubnetConfig> configs = SyntheticAccuracies.sample(SPACE, 30, 31).configs();
        CachedAccuracyScorer scorer = new CachedAccuracyScorer(PREDICTOR, SPACE);
        double[] direct = PREDICTOR.score(configs.stream().map(SPACE::encode).toArray(float[][]::new));

        assertThat(scorer.score(configs.subList(0, 20))).isEqualTo(Arrays.copyOf(direct, 20));
        assertThat(scorer.scored()).isEqualTo(20);

        // ten seen before and ten new, one of them asked for twice: ten forward passes
        List<SubnetConfig> mixed = new ArrayList<>(configs.subList(10, 30));
        mixed.add(configs.get(25));
        double[] scores = scorer.score(mixed);
        assertThat(scorer.scored()).isEqualTo(30);
        for (int i = 0; i < 20; i++) {
            assertThat(scores[i]).isEqualTo(direct[10 + i]);
        }
        assertThat(scores[20]).isEqualTo(direct[25]);

        // a structurally equal config built anew is a hit
        SubnetConfig first = configs.get(0);
        SubnetConfig rebuilt = new SubnetConfig(
                first.resolution(),
                new ArrayList<>(first.depths()),
                new ArrayList<>(first.kernels()),
                new ArrayList<>(first.expands()));
        assertThat(scorer.score(rebuilt)).isEqualTo(direct[0]);
        assertThat(scorer.scored()).isEqualTo(30);
        assertThat(scorer.cached()).isEqualTo(30);
    }

    @Test
    void theCacheKeepsTheMostRecentlyUsedWithinItsCapacity() {
        List<SubnetConfig> configs = SyntheticAccuracies.sample(SPACE, 4, 32).configs();
        CachedAccuracyScorer scorer = new CachedAccuracyScorer(PREDICTOR, SPACE, 2);
        scorer.score(configs.subList(0, 2));
        scorer.score(configs.get(0)); // 0 is now more recent than 1
        scorer.score(configs.get(2)); // evicts 1
        assertThat(scorer.cached()).isEqualTo(2);
        assertThat(scorer.scored()).isEqualTo(3);
        scorer.score(configs.get(0));
        assertThat(scorer.scored()).isEqualTo(3);
        scorer.score(configs.get(1));
        assertThat(scorer.scored()).isEqualTo(4);
    }

    @Test
    void aPredictorForAnotherSpaceOrAConfigOutsideItIsRefused() {
        AccuracyPredictor narrower =
                new AccuracyPredictor(MlpWeights.initialised(74, 8, new SplittableRandom(33)), 0.8);
        assertThatThrownBy(() -> new CachedAccuracyScorer(narrower, SPACE))
                .hasMessageContaining("encodes to 75 entries; this predictor takes 74");
        CachedAccuracyScorer scorer = new CachedAccuracyScorer(PREDICTOR, SPACE);
        SubnetConfig outside =
                new SubnetConfig(27, List.of(2, 2, 2), List.of(3, 3, 3, 3, 3, 3), List.of(3, 3, 3, 3, 3, 3));
        assertThatThrownBy(() -> scorer.score(outside)).hasMessageContaining("resolution 27");
        assertThat(scorer.scored()).isZero();
    }
}
