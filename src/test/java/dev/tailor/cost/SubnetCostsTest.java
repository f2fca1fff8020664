package dev.tailor.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubnetCostsTest {

    /** 8x8x1 input, stem 8 ch stride 2, first block 8 ch, one stage of width 16 stride 2. */
    private static final String TINY = """
            {"version":1,"name":"tiny","inputChannels":1,"resolutions":[8],
             "stem":{"channels":8,"stride":2,"activation":"hswish"},
             "firstBlock":{"channels":8,"kernel":3,"activation":"relu"},
             "stages":[{"width":16,"stride":2,"activation":"relu","se":false}],
             "kernels":[3],"depths":[1,2],"expands":[3],
             "head":{"finalExpand":16,"featureMix":32},"dropout":0.0}
            """;

    @Test
    void countsMatchAHandCount() {
        SearchSpace space = SearchSpace.fromJson(TINY);
        SubnetConfig config = new SubnetConfig(8, List.of(1), List.of(3), List.of(3));
        SubnetCosts costs = SubnetCosts.of(SubnetPlan.of(space, config, 10));
        // stem 72x16, first dw 72x16, first pw 64x16, expand 192x16, dw 216x4, project 384x4,
        // final expand 256x4, feature mix 512, classifier 320
        assertThat(costs.macs()).isEqualTo(1152 + 1152 + 1024 + 3072 + 864 + 1536 + 1024 + 512 + 320);
        // each conv's weights plus a bias per output channel (folded BN), none on feature mix
        assertThat(costs.params()).isEqualTo(80 + 80 + 72 + 216 + 240 + 400 + 272 + 512 + 330);
        // largest live set: the stage block's ReLU reading the expand conv's 24x4x4 floats and
        // writing as many (the block input is no longer needed: no shortcut across a stride)
        assertThat(costs.peakActivationBytes()).isEqualTo((24 * 4 * 4 + 24 * 4 * 4) * 4L);
    }

    @Test
    void defaultFashionMnistSpaceStaysNearFiveMillionMacs() {
        SearchSpace space = SearchSpace.named(SearchSpace.FASHION_MNIST);
        SubnetCosts largest = SubnetCosts.of(SubnetPlan.of(space, space.largest(), 10));
        SubnetCosts smallest = SubnetCosts.of(SubnetPlan.of(space, space.smallest(), 10));
        System.out.printf(
                "fashion-mnist space: largest %d MACs %d params, smallest %d MACs %d params%n",
                largest.macs(), largest.params(), smallest.macs(), smallest.params());
        assertThat(largest.macs()).isBetween(3_000_000L, 8_000_000L);
        assertThat(smallest.macs()).isLessThan(largest.macs() / 4);
        SearchSpace cifar = SearchSpace.named(SearchSpace.CIFAR);
        SubnetCosts cifarLargest = SubnetCosts.of(SubnetPlan.of(cifar, cifar.largest(), 10));
        System.out.printf("cifar space: largest %d MACs %d params%n", cifarLargest.macs(), cifarLargest.params());
        assertThat(cifarLargest.macs()).isGreaterThan(largest.macs());
    }
}
