package dev.tailor.specialize;

import static dev.tailor.specialize.SvgFormat.coordinate;
import static dev.tailor.specialize.SvgFormat.escape;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes a {@link ParetoPlot} as an SVG 1.1 document with real {@code <text>} elements.
 *
 * <p>Written by hand rather than with a plotting library: the free SVG one is GPL-3.0, and the
 * other writes every glyph as a path (200 KB for five points). Everything here is a function of
 * the plot alone (a fixed layout, numbers formatted without a locale, no ids, no timestamps) so
 * that the same plot gives the same bytes.
 *
 * <p>Only the catalogue points are {@code <circle>} elements, one per point, so that a reader of
 * the document can count them; the other markers are paths.
 */
final class ParetoSvg {

    // Layout in px: the plot area, the margins around it for tick labels and titles, and a column
    // on the right for the legend, which would otherwise cover points.
    private static final int LEFT = 72;
    private static final int TOP = 44;
    private static final int PLOT_WIDTH = 620;
    private static final int PLOT_HEIGHT = 450;
    private static final int BOTTOM = 66;
    private static final int LEGEND_GAP = 24;
    private static final int LEGEND_MIN_WIDTH = 184;
    private static final int LEGEND_ROW = 22;
    private static final int HEIGHT = TOP + PLOT_HEIGHT + BOTTOM;
    /**
     * Rough widths of one character (a little over Helvetica's average), to widen the legend column
     * for long names and to keep served labels inside the frame; there is no font to measure with.
     */
    private static final double CHAR_WIDTH = 6.2;

    private static final double LABEL_CHAR_WIDTH = 6.4;

    private static final int X_TICKS = 6;
    private static final int Y_TICKS = 6;

    private static final double CATALOGUE_RADIUS = 2.5;
    private static final double FRONT_HALF_SIDE = 3;
    private static final double SERVED_HALF_DIAGONAL = 7;

    // One palette per kind, taken in order by the series of that kind.
    private static final List<String> CATALOGUE_COLOURS = List.of("#8a9096", "#c2a878", "#7fa7c9");
    private static final List<String> FRONT_COLOURS = List.of("#1f6fb4", "#2a9d4a", "#8e5cc2", "#b0622a");
    private static final List<String> SERVED_COLOURS = List.of("#d62828", "#f08a00", "#c2187a");

    /** A series with the points that can be drawn, in drawing order, and its colour. */
    private record Drawn(Series series, List<Point> points, String colour) {}

    /**
     * Points are drawn sorted so that the bytes do not depend on the order a caller collected them
     * in; the front needs x order anyway for its line.
     */
    private static final Comparator<Point> DRAWING_ORDER = Comparator.comparingDouble(Point::x)
            .thenComparingDouble(Point::y)
            .thenComparing(Point::label, Comparator.nullsFirst(Comparator.naturalOrder()));

    private final ParetoPlot plot;
    private final List<Drawn> drawn;
    private final Axis xAxis;
    private final Axis yAxis;
    private final int width;
    private final StringBuilder out = new StringBuilder(4096);

    private ParetoSvg(ParetoPlot plot) {
        this.plot = plot;
        this.drawn = drawable(plot.series());
        double minX = Double.NaN;
        double maxX = Double.NaN;
        double minY = Double.NaN;
        double maxY = Double.NaN;
        for (Drawn d : drawn) {
            for (Point p : d.points()) {
                minX = Double.isNaN(minX) ? p.x() : Math.min(minX, p.x());
                maxX = Double.isNaN(maxX) ? p.x() : Math.max(maxX, p.x());
                minY = Double.isNaN(minY) ? p.y() : Math.min(minY, p.y());
                maxY = Double.isNaN(maxY) ? p.y() : Math.max(maxY, p.y());
            }
        }
        this.xAxis = Axis.covering(minX, maxX, X_TICKS);
        this.yAxis = Axis.covering(minY, maxY, Y_TICKS);
        this.width = LEFT + PLOT_WIDTH + LEGEND_GAP + legendWidth(drawn);
    }

    static String render(ParetoPlot plot) {
        return new ParetoSvg(plot).write();
    }

    private static List<Drawn> drawable(List<Series> series) {
        List<Drawn> drawn = new ArrayList<>();
        int[] usedPerKind = new int[Series.Kind.values().length];
        for (Series s : series) {
            List<Point> points = s.points().stream()
                    .filter(Point::isFinite)
                    .sorted(DRAWING_ORDER)
                    .toList();
            if (points.isEmpty()) {
                continue;
            }
            List<String> palette = switch (s.kind()) {
                case CATALOGUE -> CATALOGUE_COLOURS;
                case FRONT -> FRONT_COLOURS;
                case SERVED -> SERVED_COLOURS;
            };
            int index = usedPerKind[s.kind().ordinal()]++;
            drawn.add(new Drawn(s, points, palette.get(index % palette.size())));
        }
        return drawn;
    }

    private static int legendWidth(List<Drawn> drawn) {
        int longest =
                drawn.stream().mapToInt(d -> d.series().name().length()).max().orElse(0);
        return Math.max(LEGEND_MIN_WIDTH, 28 + (int) Math.ceil(longest * CHAR_WIDTH) + 12);
    }

    private String write() {
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(HEIGHT)
                .append("\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(HEIGHT)
                .append("\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\" fill=\"#222\">\n");
        out.append("<rect width=\"")
                .append(width)
                .append("\" height=\"")
                .append(HEIGHT)
                .append("\" fill=\"#fff\"/>\n");
        title();
        gridAndFrame();
        tickLabels();
        axisTitles();
        if (drawn.isEmpty()) {
            text(
                    LEFT + PLOT_WIDTH / 2.0,
                    TOP + PLOT_HEIGHT / 2.0,
                    "middle",
                    "no points yet",
                    " fill=\"#777\" font-size=\"14\"");
        }
        for (Series.Kind kind : Series.Kind.values()) {
            // catalogue under front under served, whatever the list order: the served subnets are
            // what the plot is for and must not disappear under the cloud
            for (Drawn d : drawn) {
                if (d.series().kind() == kind) {
                    series(d);
                }
            }
        }
        legend();
        out.append("</svg>\n");
        return out.toString();
    }

    private void title() {
        text(LEFT + PLOT_WIDTH / 2.0, 26, "middle", plot.title(), " font-size=\"16\" font-weight=\"bold\"");
    }

    private void gridAndFrame() {
        StringBuilder grid = new StringBuilder();
        StringBuilder marks = new StringBuilder();
        for (Axis.Tick tick : xAxis.ticks()) {
            String x = coordinate(px(tick.value()));
            grid.append('M').append(x).append(' ').append(TOP).append('V').append(TOP + PLOT_HEIGHT);
            marks.append('M').append(x).append(' ').append(TOP + PLOT_HEIGHT).append("v5");
        }
        for (Axis.Tick tick : yAxis.ticks()) {
            String y = coordinate(py(tick.value()));
            grid.append('M').append(LEFT).append(' ').append(y).append('H').append(LEFT + PLOT_WIDTH);
            marks.append('M').append(LEFT).append(' ').append(y).append("h-5");
        }
        if (!grid.isEmpty()) {
            out.append("<path d=\"")
                    .append(grid)
                    .append("\" stroke=\"#e6e6e6\" fill=\"none\" shape-rendering=\"crispEdges\"/>\n");
            out.append("<path d=\"")
                    .append(marks)
                    .append("\" stroke=\"#444\" fill=\"none\" shape-rendering=\"crispEdges\"/>\n");
        }
        out.append("<rect class=\"frame\" x=\"")
                .append(LEFT)
                .append("\" y=\"")
                .append(TOP)
                .append("\" width=\"")
                .append(PLOT_WIDTH)
                .append("\" height=\"")
                .append(PLOT_HEIGHT)
                .append("\" fill=\"none\" stroke=\"#444\" shape-rendering=\"crispEdges\"/>\n");
    }

    private void tickLabels() {
        out.append("<g fill=\"#444\" font-size=\"11\">\n");
        for (Axis.Tick tick : xAxis.ticks()) {
            text(px(tick.value()), TOP + PLOT_HEIGHT + 19, "middle", tick.label(), "");
        }
        for (Axis.Tick tick : yAxis.ticks()) {
            text(LEFT - 9, py(tick.value()) + 4, "end", tick.label(), "");
        }
        out.append("</g>\n");
    }

    private void axisTitles() {
        text(LEFT + PLOT_WIDTH / 2.0, TOP + PLOT_HEIGHT + 46, "middle", plot.xLabel(), " font-size=\"13\"");
        String x = "20";
        String y = coordinate(TOP + PLOT_HEIGHT / 2.0);
        text(
                20,
                TOP + PLOT_HEIGHT / 2.0,
                "middle",
                plot.yLabel(),
                " font-size=\"13\" transform=\"rotate(-90 " + x + ' ' + y + ")\"");
    }

    private void series(Drawn d) {
        switch (d.series().kind()) {
            case CATALOGUE -> catalogue(d);
            case FRONT -> front(d);
            case SERVED -> served(d);
        }
    }

    private void catalogue(Drawn d) {
        out.append("<g class=\"catalogue\" fill=\"").append(d.colour()).append("\" fill-opacity=\"0.55\">\n");
        String r = coordinate(CATALOGUE_RADIUS);
        for (Point p : d.points()) {
            out.append("<circle cx=\"")
                    .append(coordinate(px(p.x())))
                    .append("\" cy=\"")
                    .append(coordinate(py(p.y())))
                    .append("\" r=\"")
                    .append(r)
                    .append("\"/>\n");
        }
        out.append("</g>\n");
    }

    private void front(Drawn d) {
        out.append("<g class=\"front\">\n");
        if (d.points().size() > 1) {
            out.append("<polyline points=\"");
            for (int i = 0; i < d.points().size(); i++) {
                Point p = d.points().get(i);
                out.append(i == 0 ? "" : " ")
                        .append(coordinate(px(p.x())))
                        .append(',')
                        .append(coordinate(py(p.y())));
            }
            out.append("\" fill=\"none\" stroke=\"")
                    .append(d.colour())
                    .append("\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n");
        }
        out.append("<path d=\"");
        for (Point p : d.points()) {
            square(px(p.x()), py(p.y()), FRONT_HALF_SIDE);
        }
        out.append("\" fill=\"").append(d.colour()).append("\" stroke=\"#fff\" stroke-width=\"0.8\"/>\n");
        out.append("</g>\n");
    }

    private void served(Drawn d) {
        out.append("<g class=\"served\">\n");
        // labels first: a label's backing must not cover a neighbouring diamond
        for (Point p : d.points()) {
            if (p.hasLabel()) {
                servedLabel(px(p.x()), py(p.y()), p.label());
            }
        }
        out.append("<path d=\"");
        for (Point p : d.points()) {
            diamond(px(p.x()), py(p.y()), SERVED_HALF_DIAGONAL);
        }
        out.append("\" fill=\"").append(d.colour()).append("\" stroke=\"#fff\" stroke-width=\"1.2\"/>\n");
        out.append("</g>\n");
    }

    /**
     * A label at a corner of its diamond. A served point lies on or below a front that rises to the
     * right, so up-left is empty of line and cloud alike, and down-right never holds the line; the
     * other two corners are for points near the frame. A white backing keeps the text readable over
     * the cloud.
     */
    private void servedLabel(double x, double y, String label) {
        double textWidth = label.length() * LABEL_CHAR_WIDTH;
        double gap = 5;
        double ascent = 9;
        double[][] corners = {{-1, -1}, {1, 1}, {1, -1}, {-1, 1}}; // up-left, down-right, up-right, down-left
        double[] chosen = corners[0];
        for (double[] corner : corners) {
            double left = corner[0] < 0 ? x - gap - textWidth : x + gap;
            double top = corner[1] < 0 ? y - gap - ascent - 3 : y + gap;
            if (left >= LEFT + 3
                    && left + textWidth <= LEFT + PLOT_WIDTH - 3
                    && top >= TOP + 3
                    && top + ascent + 3 <= TOP + PLOT_HEIGHT - 3) {
                chosen = corner;
                break;
            }
        }
        double left = chosen[0] < 0 ? x - gap - textWidth : x + gap;
        double baseline = chosen[1] < 0 ? y - gap - 3 : y + gap + ascent;
        out.append("<rect x=\"")
                .append(coordinate(left - 2))
                .append("\" y=\"")
                .append(coordinate(baseline - ascent - 2))
                .append("\" width=\"")
                .append(coordinate(textWidth + 4))
                .append("\" height=\"")
                .append(coordinate(ascent + 6))
                .append("\" fill=\"#fff\" fill-opacity=\"0.8\"/>\n");
        text(left, baseline, "start", label, " font-size=\"11\" font-weight=\"bold\"");
    }

    private void legend() {
        double x = LEFT + PLOT_WIDTH + LEGEND_GAP;
        double y = TOP + 10;
        out.append("<g class=\"legend\">\n");
        for (Drawn d : drawn) {
            if (d.series().name().isBlank()) {
                continue;
            }
            double cx = x + 10;
            switch (d.series().kind()) {
                case CATALOGUE -> {
                    // a path, not a circle: circles stand for catalogue points only
                    out.append("<path d=\"M")
                            .append(coordinate(cx - 3.5))
                            .append(' ')
                            .append(coordinate(y))
                            .append("a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0 -7 0z\" fill=\"")
                            .append(d.colour())
                            .append("\" fill-opacity=\"0.55\"/>\n");
                }
                case FRONT -> {
                    out.append("<path d=\"M")
                            .append(coordinate(x))
                            .append(' ')
                            .append(coordinate(y))
                            .append("h20\" stroke=\"")
                            .append(d.colour())
                            .append("\" stroke-width=\"2\"/>\n");
                    out.append("<path d=\"");
                    square(cx, y, FRONT_HALF_SIDE);
                    out.append("\" fill=\"").append(d.colour()).append("\" stroke=\"#fff\" stroke-width=\"0.8\"/>\n");
                }
                case SERVED -> {
                    out.append("<path d=\"");
                    diamond(cx, y, SERVED_HALF_DIAGONAL);
                    out.append("\" fill=\"").append(d.colour()).append("\" stroke=\"#fff\" stroke-width=\"1.2\"/>\n");
                }
            }
            text(x + 28, y + 4, "start", d.series().name(), "");
            y += LEGEND_ROW;
        }
        out.append("</g>\n");
    }

    private void square(double x, double y, double halfSide) {
        String side = coordinate(2 * halfSide);
        out.append('M')
                .append(coordinate(x - halfSide))
                .append(' ')
                .append(coordinate(y - halfSide))
                .append('h')
                .append(side)
                .append('v')
                .append(side)
                .append("h-")
                .append(side)
                .append('z');
    }

    private void diamond(double x, double y, double half) {
        String h = coordinate(half);
        out.append('M')
                .append(coordinate(x))
                .append(' ')
                .append(coordinate(y - half))
                .append('l')
                .append(h)
                .append(' ')
                .append(h)
                .append(" -")
                .append(h)
                .append(' ')
                .append(h)
                .append(" -")
                .append(h)
                .append(" -")
                .append(h)
                .append('z');
    }

    private void text(double x, double y, String anchor, String content, String extraAttributes) {
        out.append("<text x=\"")
                .append(coordinate(x))
                .append("\" y=\"")
                .append(coordinate(y))
                .append('"');
        if (!"start".equals(anchor)) {
            out.append(" text-anchor=\"").append(anchor).append('"');
        }
        out.append(extraAttributes).append('>').append(escape(content)).append("</text>\n");
    }

    /** Horizontal pixel of a data x: left edge of the plot area at the axis minimum. */
    private double px(double x) {
        return LEFT + PLOT_WIDTH * xAxis.fraction(x);
    }

    /** Vertical pixel of a data y: SVG y grows downwards, so the axis minimum is at the bottom. */
    private double py(double y) {
        return TOP + PLOT_HEIGHT * (1 - yAxis.fraction(y));
    }
}
