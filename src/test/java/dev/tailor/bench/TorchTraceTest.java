package dev.tailor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The profile's arithmetic on a hand-written trace in libtorch's legacy Chrome format. */
class TorchTraceTest {

    private static final String TRACE = """
            [
             {"name": "aten::conv2d", "ph": "X", "ts": 0, "dur": 100, "tid": 1,
              "shape": [[8,16,14,14],[16,1,7,7]], "cpu mem": "98.00 Kb"},
             {"name": "aten::mkldnn_convolution", "ph": "X", "ts": 10, "dur": 80, "tid": 1,
              "shape": [[8,16,14,14],[16,1,7,7]], "cpu mem": "98.00 Kb"},
             {"name": "aten::empty", "ph": "X", "ts": 12, "dur": 2, "tid": 1, "cpu mem": "98.00 Kb"},
             {"name": "aten::add", "ph": "X", "ts": 120, "dur": 30, "tid": 1, "cpu mem": "1.00 Kb"},
             {"name": "autograd::engine::evaluate_function: ConvolutionBackward0", "ph": "X", "ts": 200,
              "dur": 60, "tid": 1},
             {"name": "aten::convolution_backward", "ph": "X", "ts": 205, "dur": 50, "tid": 1,
              "shape": [[8,32,14,14],[8,16,14,14],[32,16,1,1]], "cpu mem": "-2.00 Kb"}
            ]
            """;

    @Test
    void selfTimeLeavesOutChildrenAndBackwardIsWhatAutogradRan() throws Exception {
        TorchTrace trace = TorchTrace.parse(new ObjectMapper().readTree(TRACE));
        Map<String, TorchTrace.Operator> byName =
                trace.operators().stream().collect(Collectors.toMap(TorchTrace.Operator::name, op -> op));

        assertThat(byName.get("aten::conv2d [depthwise 7x7]").selfMillis()).isEqualTo(0.020);
        assertThat(byName.get("aten::mkldnn_convolution [depthwise 7x7]").selfMillis())
                .isEqualTo(0.078);
        assertThat(byName.get("aten::mkldnn_convolution [depthwise 7x7]").kind())
                .isEqualTo("convolution, depthwise");
        assertThat(byName.get("aten::mkldnn_convolution [depthwise 7x7]").pass())
                .isEqualTo("forward/other");
        TorchTrace.Operator backward = byName.get("aten::convolution_backward [1x1]");
        assertThat(backward.pass()).isEqualTo("backward");
        assertThat(backward.kind()).isEqualTo("convolution, 1x1");
        assertThat(byName.get("autograd::engine::evaluate_function: ConvolutionBackward0")
                        .selfMillis())
                .isEqualTo(0.010);
        assertThat(trace.totalSelfMillis()).isCloseTo(0.190, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(trace.topLevelCalls()).isEqualTo(3);
        assertThat(trace.allocations()).isEqualTo(1);
        // the empty's 98 Kb is counted once, not again in its callers; a free is not an allocation
        assertThat(trace.allocatedBytes()).isEqualTo(98 * 1024 + 1024);
    }
}
