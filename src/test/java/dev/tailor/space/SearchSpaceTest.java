package dev.tailor.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SearchSpaceTest {

    private final SearchSpace space = SearchSpace.named(SearchSpace.FASHION_MNIST);

    @Test
    void canonicalJsonIsFixedOrderWithoutSpacesAndNamesTheConfig() {
        SubnetConfig config =
                new SubnetConfig(28, List.of(2, 2, 2), List.of(3, 5, 7, 3, 5, 7), List.of(3, 4, 6, 6, 4, 3));
        assertThat(config.canonicalJson())
                .isEqualTo(
                        "{\"resolution\":28,\"depths\":[2,2,2],\"kernels\":[3,5,7,3,5,7],\"expands\":[3,4,6,6,4,3]}");
        SubnetConfig reordered = SubnetConfig.parse(
                "{ \"expands\": [3,4,6,6,4,3], \"kernels\": [3,5,7,3,5,7], \"depths\": [2, 2, 2], \"resolution\": 28 }");
        assertThat(reordered).isEqualTo(config);
        assertThat(reordered.sha256()).isEqualTo(config.sha256()).hasSize(64);
        assertThat(config.sha256())
                .isNotEqualTo(new SubnetConfig(24, config.depths(), config.kernels(), config.expands()).sha256());
    }

    @Test
    void parseRefusesWhatIsNotAConfig() {
        assertThatThrownBy(() -> SubnetConfig.parse("[1]")).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> SubnetConfig.parse("{\"resolution\":\"28\"}")).hasMessageContaining("resolution");
        assertThatThrownBy(() -> SubnetConfig.parse("{\"resolution\":28,\"depth\":[2]}"))
                .hasMessageContaining("depth");
        assertThatThrownBy(
                        () -> SubnetConfig.parse("{\"resolution\":28,\"depths\":[2.5],\"kernels\":[],\"expands\":[]}"))
                .hasMessageContaining("whole numbers");
    }

    @Test
    void largestAndSmallestSitAtTheEndsOfEveryChoice() {
        SubnetConfig largest = space.largest();
        assertThat(largest.resolution()).isEqualTo(28);
        assertThat(largest.depths()).containsOnly(4).hasSize(3);
        assertThat(largest.kernels()).containsOnly(7).hasSize(12);
        assertThat(largest.expands()).containsOnly(6).hasSize(12);
        SubnetConfig smallest = space.smallest();
        assertThat(smallest.resolution()).isEqualTo(20);
        assertThat(smallest.depths()).containsOnly(2);
        assertThat(smallest.kernels()).containsOnly(3).hasSize(6);
        assertThat(space.violations(largest)).isEmpty();
        assertThat(space.violations(smallest)).isEmpty();
    }

    @Test
    void samplingIsSeededUniformAndStaysInTheSpace() {
        Random a = new Random(42);
        Random b = new Random(42);
        Set<Integer> depthsSeen = new HashSet<>();
        Set<Integer> kernelsSeen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            SubnetConfig config = space.sample(a);
            assertThat(space.sample(b)).isEqualTo(config);
            assertThat(space.violations(config)).isEmpty();
            depthsSeen.addAll(config.depths());
            kernelsSeen.addAll(config.kernels());
        }
        assertThat(depthsSeen).containsExactlyInAnyOrder(2, 3, 4);
        assertThat(kernelsSeen).containsExactlyInAnyOrder(3, 5, 7);
    }

    @Test
    void violationsNameEveryWrongChoice() {
        SubnetConfig bad = new SubnetConfig(27, List.of(2, 5, 2), List.of(3, 3), List.of(3, 3));
        assertThat(space.violations(bad))
                .anySatisfy(v -> assertThat(v).contains("resolution 27"))
                .anySatisfy(v -> assertThat(v).contains("depths[1] = 5"))
                .anySatisfy(v -> assertThat(v).contains("one entry per active block (9"));
        assertThatThrownBy(() -> space.requireMember(bad)).hasMessageContaining("outside search space");
        assertThat(space.violations(new SubnetConfig(28, List.of(2, 2), List.of(), List.of())))
                .singleElement()
                .satisfies(v -> assertThat(v).contains("3 stages"));
    }

    @Test
    void oneHotEncodingHasOfasLayout() {
        SubnetConfig config = new SubnetConfig(
                24, List.of(2, 3, 4), List.of(3, 5, 7, 3, 5, 7, 3, 5, 7), List.of(6, 4, 3, 6, 4, 3, 6, 4, 3));
        float[] encoding = space.encode(config);
        // 12 slots x (3 kernels + 3 expands) + 3 resolutions
        assertThat(encoding).hasSize(75);
        // slot 0: kernel 3 (index 0), expand 6 (index 2 of expands -> position 3 + 2)
        assertThat(encoding[0]).isEqualTo(1f);
        assertThat(encoding[5]).isEqualTo(1f);
        // stage 0 has depth 2: slots 2 and 3 are all zeros
        for (int i = 12; i < 24; i++) {
            assertThat(encoding[i]).isZero();
        }
        // one hot per active block twice, plus resolution
        float ones = 0;
        for (float v : encoding) {
            ones += v;
        }
        assertThat(ones).isEqualTo(9 * 2 + 1);
        assertThat(encoding[72 + 1]).isEqualTo(1f); // resolution 24 is the middle choice
    }

    @Test
    void specRoundTripsThroughJsonAndRefusesOtherVersions() {
        SearchSpace copy = SearchSpace.fromJson(space.toJson());
        assertThat(copy).isEqualTo(space);
        assertThatThrownBy(() -> SearchSpace.fromJson(space.toJson().replace("\"version\":1", "\"version\":9")))
                .hasMessageContaining("version 9");
        assertThatThrownBy(() -> SearchSpace.named("nope")).hasMessageContaining("mbv3-28x28x1");
        assertThat(SearchSpace.forInput(3).name()).isEqualTo(SearchSpace.CIFAR);
    }

    @Test
    void makeDivisibleFollowsOfa() {
        assertThat(SubnetPlan.makeDivisible(96, 8)).isEqualTo(96);
        assertThat(SubnetPlan.makeDivisible(16 * 3, 8)).isEqualTo(48);
        assertThat(SubnetPlan.makeDivisible(3, 8)).isEqualTo(8);
        assertThat(SubnetPlan.makeDivisible(100, 8)).isEqualTo(104);
        assertThat(SubnetPlan.makeDivisible(60, 8)).isEqualTo(64);
        assertThat(SubnetPlan.midChannels(24, 6)).isEqualTo(144);
        assertThat(SubnetPlan.seChannels(144)).isEqualTo(40);
    }
}
