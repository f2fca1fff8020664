package dev.tailor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

    @Test
    void writesTheTableAsMarkdownWithTheMachineAndAsCsv(@TempDir Path out) throws IOException {
        BenchReport report = new BenchReport("Example", List.of("what", "images/s"));
        report.row("a, with comma", 1234.5678);
        report.row("many", 10190.4);
        report.note("a note");
        report.write(out, "example");

        String markdown = Files.readString(out.resolve("example.md"));
        assertThat(markdown)
                .startsWith("# Example")
                .contains("logical cores")
                .contains("PyTorch")
                .contains("| what | images/s |")
                .contains("| a, with comma | 1235 |")
                .contains("| many | 10190 |")
                .contains("a note");
        assertThat(Files.readAllLines(out.resolve("example.csv")))
                .containsExactly("what,images/s", "\"a, with comma\",1235", "many,10190");
    }

    @Test
    void badArgumentsExitWithTwoBeforeAnyWork() {
        // bad arguments are refused before the latency calibration is needed
        BenchCommand command =
                new BenchCommand(null, null, new dev.tailor.TailorProperties(java.nio.file.Path.of("unused")));
        assertThat(command.execute(new String[] {"everything"})).isEqualTo(2);
        assertThat(command.execute(new String[] {"training", "--steps", "0"})).isEqualTo(2);
        assertThat(command.execute(new String[] {"training", "--turbo", "1"})).isEqualTo(2);
        assertThat(command.execute(new String[] {"training", "--dataset", "/no/such/dir"}))
                .isEqualTo(2);
    }

    @Test
    void theProbeSetIsSmallestLargestAndEightSeededRandomSubnets() {
        var space = dev.tailor.space.SearchSpace.named(dev.tailor.space.SearchSpace.FASHION_MNIST);
        ScheduleComparison bench = new ScheduleComparison(space, null, 1, 32, 1, java.nio.file.Path.of("unused"));
        var probes = bench.probes();
        assertThat(probes).hasSize(10);
        assertThat(probes.get(0)).isEqualTo(space.smallest());
        assertThat(probes.get(1)).isEqualTo(space.largest());
        assertThat(new ScheduleComparison(space, null, 1, 32, 1, java.nio.file.Path.of("unused")).probes())
                .isEqualTo(probes);
    }
}
