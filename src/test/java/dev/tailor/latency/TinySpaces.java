package dev.tailor.latency;

import dev.tailor.space.SearchSpace;
import java.util.Locale;

/**
 * Small search spaces, quick to write and time: two resolutions, two stages of one or two
 * blocks, kernel 3 or 5, expand 3 (72 subnets). Every channel count is a multiple of {@code unit},
 * so spaces of different units share no layer key: tests on one catalogue do not see each
 * other's layer rows.
 */
final class TinySpaces {

    private TinySpaces() {}

    static SearchSpace withUnit(int unit) {
        return SearchSpace.fromJson(String.format(Locale.ROOT, """
                {"version": 1, "name": "tiny-%1$d", "inputChannels": 1, "resolutions": [20, 24],
                 "stem": {"channels": %1$d, "stride": 2, "activation": "hswish"},
                 "firstBlock": {"channels": %1$d, "kernel": 3, "activation": "relu"},
                 "stages": [
                   {"width": %2$d, "stride": 2, "activation": "relu", "se": false},
                   {"width": %3$d, "stride": 2, "activation": "hswish", "se": true}],
                 "kernels": [3, 5], "depths": [1, 2], "expands": [3],
                 "head": {"finalExpand": %4$d, "featureMix": %5$d}, "dropout": 0.1}
                """, unit, 2 * unit, 3 * unit, 4 * unit, 8 * unit));
    }
}
