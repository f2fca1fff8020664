package dev.tailor.bench;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** One benchmark's table, written as Markdown (with the machine it ran on) and as CSV. */
final class BenchReport {

    private final String title;
    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    BenchReport(String title, List<String> columns) {
        this.title = title;
        this.columns = columns;
    }

    void row(Object... cells) {
        List<String> row = new ArrayList<>();
        for (Object cell : cells) {
            row.add(cell instanceof Double d ? number(d) : String.valueOf(cell));
        }
        rows.add(row);
    }

    /** Four significant digits, but never an exponent for a count like 10,190 requests/s. */
    private static String number(double value) {
        return Math.abs(value) >= 1e4
                ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.4g", value);
    }

    void note(String note) {
        notes.add(note);
    }

    String markdown() {
        return markdown(true);
    }

    private String markdown(boolean withMachine) {
        StringBuilder md =
                new StringBuilder(withMachine ? "# " : "## ").append(title).append("\n\n");
        if (withMachine) {
            md.append(machine()).append("\n\n");
        }
        md.append("| ").append(String.join(" | ", columns)).append(" |\n");
        md.append("|").append(" --- |".repeat(columns.size())).append("\n");
        for (List<String> row : rows) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        for (String note : notes) {
            md.append("\n").append(note).append("\n");
        }
        return md.toString();
    }

    String csv() {
        StringBuilder csv = new StringBuilder(String.join(",", columns)).append("\n");
        for (List<String> row : rows) {
            csv.append(row.stream()
                            .map(c -> c.contains(",") ? "\"" + c + "\"" : c)
                            .collect(Collectors.joining(",")))
                    .append("\n");
        }
        return csv.toString();
    }

    void write(Path directory, String name) {
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve(name + ".md"), markdown());
            Files.writeString(directory.resolve(name + ".csv"), csv());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results to " + directory, e);
        }
    }

    /**
     * Several tables of one benchmark: one Markdown file with all of them (the machine once) and a
     * CSV file per table, {@code name-suffix.csv}.
     */
    static void writeTogether(Path directory, String name, List<BenchReport> reports, List<String> suffixes) {
        StringBuilder md = new StringBuilder();
        for (BenchReport report : reports) {
            md.append(report.markdown(md.isEmpty())).append("\n");
        }
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve(name + ".md"), md.toString());
            for (int i = 0; i < reports.size(); i++) {
                Files.writeString(
                        directory.resolve(name + "-" + suffixes.get(i) + ".csv"),
                        reports.get(i).csv());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results to " + directory, e);
        }
    }

    /** The machine, so that a table is never read as another machine's numbers. */
    static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux: keep the placeholder
        }
        return String.format(
                Locale.ROOT,
                "Measured %s on %s, %d logical cores, %.1f GiB heap max, Java %s, DJL %s with PyTorch %s.",
                OffsetDateTime.now(ZoneOffset.UTC).withNano(0),
                cpu,
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() / (1024.0 * 1024 * 1024),
                System.getProperty("java.version"),
                Engine.getDjlVersion(),
                Engine.getInstance().getVersion());
    }
}
