package dev.tailor.bench;

import static dev.tailor.specialize.SvgFormat.coordinate;
import static dev.tailor.specialize.SvgFormat.escape;

import java.util.List;
import java.util.Locale;

/**
 * Validation accuracy against training CPU-hours as the budget priced them, one colour per schedule and one dash pattern
 * per probe figure (probe mean solid, smallest dashed, largest dotted). A hand-written SVG with
 * real text, like the Pareto plot, and deterministic: the same records give the same bytes.
 */
final class ScheduleChart {

    private static final int LEFT = 70;
    private static final int TOP = 40;
    private static final int WIDTH = 600;
    private static final int HEIGHT = 400;
    private static final int BOTTOM = 60;
    private static final int LEGEND = 230;
    private static final int TICKS = 6;
    private static final List<String> COLOURS = List.of("#1f6fb4", "#d62828", "#2a9d4a", "#8e5cc2");

    /** A line to draw: a schedule's figure after every epoch, as fractions. */
    record Line(String schedule, String figure, List<double[]> points) {}

    private ScheduleChart() {}

    static String svg(List<ScheduleComparison.ScheduleState> states, int trainImages) {
        List<Line> lines = new java.util.ArrayList<>();
        for (ScheduleComparison.ScheduleState s : states) {
            lines.add(line(s, trainImages, "probe mean", r -> r.probeMean()));
            lines.add(line(s, trainImages, "smallest", r -> r.smallest()));
            lines.add(line(s, trainImages, "largest", r -> r.largest()));
        }
        double maxX = 0;
        double minY = 1;
        double maxY = 0;
        for (Line line : lines) {
            for (double[] p : line.points()) {
                maxX = Math.max(maxX, p[0]);
                minY = Math.min(minY, p[1]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        if (maxX == 0) {
            maxX = 1;
        }
        // accuracy axis in whole points, with a point of air below and above
        double low = Math.max(0, Math.floor(minY * 100) - 1) / 100;
        double high = Math.min(100, Math.ceil(maxY * 100) + 1) / 100;
        if (high <= low) {
            high = low + 0.01;
        }
        StringBuilder svg = new StringBuilder();
        int width = LEFT + WIDTH + LEGEND;
        int height = TOP + HEIGHT + BOTTOM;
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        svg.append("<text x=\"")
                .append(LEFT)
                .append("\" y=\"24\" font-size=\"14\">")
                .append(escape("Validation top-1 after each epoch against training CPU-hours"))
                .append("</text>\n");
        svg.append("<rect x=\"")
                .append(LEFT)
                .append("\" y=\"")
                .append(TOP)
                .append("\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(HEIGHT)
                .append("\" fill=\"none\" stroke=\"#444444\"/>\n");
        for (int i = 0; i <= TICKS; i++) {
            double xValue = maxX * i / TICKS;
            double x = LEFT + WIDTH * (double) i / TICKS;
            svg.append("<text x=\"")
                    .append(coordinate(x))
                    .append("\" y=\"")
                    .append(TOP + HEIGHT + 18)
                    .append("\" text-anchor=\"middle\">")
                    .append(String.format(Locale.ROOT, "%.2f", xValue))
                    .append("</text>\n");
            double yValue = low + (high - low) * i / TICKS;
            double y = TOP + HEIGHT - HEIGHT * (double) i / TICKS;
            svg.append("<line x1=\"")
                    .append(LEFT)
                    .append("\" x2=\"")
                    .append(LEFT + WIDTH)
                    .append("\" y1=\"")
                    .append(coordinate(y))
                    .append("\" y2=\"")
                    .append(coordinate(y))
                    .append("\" stroke=\"#e3e3e3\"/>\n");
            svg.append("<text x=\"")
                    .append(LEFT - 8)
                    .append("\" y=\"")
                    .append(coordinate(y + 4))
                    .append("\" text-anchor=\"end\">")
                    .append(String.format(Locale.ROOT, "%.1f %%", yValue * 100))
                    .append("</text>\n");
        }
        svg.append("<text x=\"")
                .append(LEFT + WIDTH / 2)
                .append("\" y=\"")
                .append(TOP + HEIGHT + 44)
                .append(
                        "\" text-anchor=\"middle\">training CPU-hours, priced (pilot step cost x steps, all cores)</text>\n");
        svg.append("<text transform=\"translate(18 ")
                .append(TOP + HEIGHT / 2)
                .append(") rotate(-90)\" text-anchor=\"middle\">validation top-1</text>\n");
        int legendRow = 0;
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            String colour = COLOURS.get((i / 3) % COLOURS.size());
            String dash = dash(line.figure());
            StringBuilder path = new StringBuilder();
            for (double[] p : line.points()) {
                double x = LEFT + WIDTH * p[0] / maxX;
                double y = TOP + HEIGHT - HEIGHT * (p[1] - low) / (high - low);
                path.append(path.isEmpty() ? "M" : " L")
                        .append(coordinate(x))
                        .append(' ')
                        .append(coordinate(y));
            }
            if (!path.isEmpty()) {
                svg.append("<path d=\"")
                        .append(path)
                        .append("\" fill=\"none\" stroke=\"")
                        .append(colour)
                        .append("\" stroke-width=\"2\"")
                        .append(dash)
                        .append("/>\n");
            }
            double ly = TOP + 10 + 20 * legendRow++;
            int lx = LEFT + WIDTH + 16;
            svg.append("<line x1=\"")
                    .append(lx)
                    .append("\" x2=\"")
                    .append(lx + 28)
                    .append("\" y1=\"")
                    .append(coordinate(ly))
                    .append("\" y2=\"")
                    .append(coordinate(ly))
                    .append("\" stroke=\"")
                    .append(colour)
                    .append("\" stroke-width=\"2\"")
                    .append(dash)
                    .append("/>\n");
            svg.append("<text x=\"")
                    .append(lx + 36)
                    .append("\" y=\"")
                    .append(coordinate(ly + 4))
                    .append("\">")
                    .append(escape(line.schedule() + ", " + line.figure()))
                    .append("</text>\n");
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String dash(String figure) {
        return switch (figure) {
            case "smallest" -> " stroke-dasharray=\"7 4\"";
            case "largest" -> " stroke-dasharray=\"2 3\"";
            default -> "";
        };
    }

    private static Line line(
            ScheduleComparison.ScheduleState state,
            int trainImages,
            String figure,
            java.util.function.ToDoubleFunction<ScheduleComparison.EpochRecord> value) {
        return new Line(
                state.schedule(),
                figure,
                state.epochs().stream()
                        .map(r -> new double[] {
                            ScheduleComparison.pricedCpuHours(state, r, trainImages), value.applyAsDouble(r)
                        })
                        .toList());
    }
}
