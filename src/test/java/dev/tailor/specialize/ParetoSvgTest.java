package dev.tailor.specialize;

import static dev.tailor.specialize.SvgDocuments.elements;
import static dev.tailor.specialize.SvgDocuments.frame;
import static dev.tailor.specialize.SvgDocuments.number;
import static dev.tailor.specialize.SvgDocuments.parse;
import static dev.tailor.specialize.SvgDocuments.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class ParetoSvgTest {

    @Test
    void theSamePlotGivesTheSameBytes() {
        ParetoPlot plot = SamplePlots.realistic(300);
        assertThat(plot.toSvg()).isEqualTo(plot.toSvg());
        assertThat(SamplePlots.realistic(300).toSvg()).isEqualTo(plot.toSvg());
    }

    @Test
    void pointsCollectedInAnotherOrderGiveTheSameBytes() {
        ParetoPlot plot = SamplePlots.realistic(200);
        ParetoPlot rebuilt = new ParetoPlot(
                new String(plot.title()),
                new String(plot.xLabel()),
                new String(plot.yLabel()),
                plot.series().stream()
                        .map(s -> new Series(new String(s.name()), s.kind(), shuffled(s.points())))
                        .toList());
        assertThat(rebuilt.series().get(0).points())
                .isNotEqualTo(plot.series().get(0).points());
        assertThat(rebuilt.toSvg()).isEqualTo(plot.toSvg());
    }

    @Test
    void theSeriesOrderIsTheLegendOrder() {
        List<Point> points = List.of(Point.of(1, 80), Point.of(2, 90));
        ParetoPlot ab = new ParetoPlot("", "", "", List.of(Series.front("a", points), Series.front("b", points)));
        ParetoPlot ba = new ParetoPlot("", "", "", List.of(Series.front("b", points), Series.front("a", points)));
        List<String> abTexts = texts(parse(ab.toSvg()));
        assertThat(abTexts.indexOf("a")).isLessThan(abTexts.indexOf("b"));
        List<String> baTexts = texts(parse(ba.toSvg()));
        assertThat(baTexts.indexOf("b")).isLessThan(baTexts.indexOf("a"));
    }

    @Test
    void noLocaleChangesTheBytes() {
        ParetoPlot plot = SamplePlots.realistic(100);
        byte[] root = plot.toSvg();
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY); // decimal comma
            assertThat(plot.toSvg()).isEqualTo(root);
            Locale.setDefault(Locale.forLanguageTag("ar-EG")); // Arabic-Indic digits
            assertThat(plot.toSvg()).isEqualTo(root);
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void isAnSvgDocument() {
        Document document = parse(SamplePlots.realistic(50).toSvg());
        Element root = document.getDocumentElement();
        assertThat(root.getNamespaceURI()).isEqualTo(SvgDocuments.SVG_NS);
        assertThat(root.getLocalName()).isEqualTo("svg");
        assertThat(root.getAttribute("version")).isEqualTo("1.1");
        assertThat(root.getAttribute("viewBox"))
                .isEqualTo("0 0 " + root.getAttribute("width") + " " + root.getAttribute("height"));
    }

    @Test
    void titlesAndLegendAreRealText() {
        List<String> texts = texts(parse(SamplePlots.realistic(50).toSvg()));
        assertThat(texts)
                .contains(
                        SamplePlots.TITLE,
                        SamplePlots.X_LABEL,
                        SamplePlots.Y_LABEL,
                        "catalogue (50 subnets)",
                        "Pareto front",
                        "served");
        assertThat(texts).anyMatch(t -> t.startsWith("edge: "));
    }

    @Test
    void markupInTextIsEscaped() {
        String title = "<script>alert('x')</script> & \"quoted\"";
        ParetoPlot plot = new ParetoPlot(
                title, "a < b", "c > d", List.of(Series.served("x & y", List.of(new Point(1, 2, "</text><g>")))));
        String svg = plot.svg();
        assertThat(svg).doesNotContain("<script>").doesNotContain("</text><g>");
        assertThat(svg).contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;quoted&quot;");
        assertThat(texts(parse(plot.toSvg()))).contains(title, "a < b", "c > d", "x & y", "</text><g>");
    }

    @Test
    void charactersXmlForbidsAreDropped() {
        ParetoPlot plot = new ParetoPlot("bell\u0007 and lone \uD800 surrogate", "", "", List.of());
        assertThat(texts(parse(plot.toSvg()))).contains("bell and lone  surrogate");
    }

    @Test
    void oneCirclePerDrawableCataloguePoint() {
        List<Point> catalogue = new ArrayList<>(SamplePlots.catalogue(137, 7));
        catalogue.add(Point.of(Double.NaN, 90));
        catalogue.add(Point.of(3, Double.POSITIVE_INFINITY));
        ParetoPlot plot = new ParetoPlot(
                "t",
                "x",
                "y",
                List.of(
                        Series.catalogue("all", catalogue),
                        Series.front("front", SamplePlots.front(SamplePlots.catalogue(137, 7))),
                        Series.served("served", List.of(new Point(5, 85, "here")))));
        Document document = parse(plot.toSvg());
        assertThat(elements(document, "circle")).hasSize(137);
        assertThat(plot.svg()).doesNotContain("NaN").doesNotContain("Infinity");
    }

    @Test
    void anEmptyPlotDrawsAxesAndSaysSo() {
        for (ParetoPlot plot : List.of(
                new ParetoPlot("empty", "x", "y", List.of()),
                new ParetoPlot(null, null, null, null),
                new ParetoPlot("only NaN", "x", "y", List.of(Series.front("f", List.of(Point.of(Double.NaN, 1))))))) {
            Document document = parse(plot.toSvg());
            assertThat(texts(document)).contains("no points yet");
            assertThat(elements(document, "circle")).isEmpty();
            frame(document);
        }
    }

    @Test
    void degenerateRangesArePadded() {
        List<ParetoPlot> plots = List.of(
                onePlot(List.of(Point.of(12.5, 91.2))),
                onePlot(List.of(Point.of(0, 0))),
                onePlot(List.of(Point.of(-3, 50))),
                onePlot(List.of(Point.of(5, 80), Point.of(5, 85), Point.of(5, 90))),
                onePlot(List.of(Point.of(1, 90), Point.of(2, 90), Point.of(3, 90))),
                onePlot(List.of(Point.of(1e-300, 1e300), Point.of(Double.MAX_VALUE, -Double.MAX_VALUE))),
                onePlot(List.of(Point.of(Double.MIN_VALUE, 1))));
        for (ParetoPlot plot : plots) {
            assertThatCode(plot::toSvg).doesNotThrowAnyException();
            Document document = parse(plot.toSvg());
            Element frame = frame(document);
            for (Element circle : elements(document, "circle")) {
                assertThat(number(circle, "cx"))
                        .isBetween(number(frame, "x"), number(frame, "x") + number(frame, "width"));
                assertThat(number(circle, "cy"))
                        .isBetween(number(frame, "y"), number(frame, "y") + number(frame, "height"));
            }
            assertThat(plot.svg()).doesNotContain("NaN").doesNotContain("Infinity");
        }
        // a lone point sits in the middle of the plot, not on the frame
        Document single = parse(onePlot(List.of(Point.of(12.5, 91.2))).toSvg());
        Element frame = frame(single);
        Element circle = elements(single, "circle").get(0);
        assertThat(number(circle, "cx")).isCloseTo(number(frame, "x") + number(frame, "width") / 2, within(0.1));
        assertThat(number(circle, "cy")).isCloseTo(number(frame, "y") + number(frame, "height") / 2, within(0.1));
    }

    @Test
    void extremePointsMapToTheEndsOfThePlotArea() {
        List<Point> points = SamplePlots.catalogue(100, 3);
        Point rightmost =
                points.stream().max(Comparator.comparingDouble(Point::x)).orElseThrow();
        Document document = parse(onePlot(points).toSvg());
        Element frame = frame(document);
        double left = number(frame, "x");
        double right = left + number(frame, "width");
        double top = number(frame, "y");
        double bottom = top + number(frame, "height");
        List<Element> circles = elements(document, "circle");
        double maxCx = circles.stream().mapToDouble(c -> number(c, "cx")).max().orElseThrow();
        double minCx = circles.stream().mapToDouble(c -> number(c, "cx")).min().orElseThrow();
        double minCy = circles.stream().mapToDouble(c -> number(c, "cy")).min().orElseThrow();
        // the axis leaves 4 % of the data span free at each end: max x maps to
        // right - width * 0.04 / 1.08
        double inset = number(frame, "width") * 0.04 / 1.08;
        assertThat(maxCx).isCloseTo(right - inset, within(0.1));
        assertThat(minCx).isCloseTo(left + inset, within(0.1));
        assertThat(minCy).isCloseTo(top + number(frame, "height") * 0.04 / 1.08, within(0.1));
        // and it is the circle of that point, not some other one
        assertThat(circleAt(circles, maxCx).getAttribute("cy")).isEqualTo(cyOf(points, rightmost, top, bottom));
    }

    @Test
    void fiveHundredPointsStayCompact() {
        byte[] svg = SamplePlots.realistic(500).toSvg();
        // one circle element of about 36 bytes per point and a few KB of axes, legend and front:
        // 24 KB, 5 KB gzipped; XChart wrote 200 KB for five points
        assertThat(svg.length).isLessThan(26_000);
    }

    /** Writes a sample for a person to look at; java.io.tmpdir is /tmp on the build machines. */
    @Test
    void writesASampleToTheTemporaryDirectory() throws Exception {
        Path sample = Path.of(System.getProperty("java.io.tmpdir"), "pareto-sample.svg");
        Files.write(sample, SamplePlots.realistic(500).toSvg());
        assertThat(Files.readString(sample, StandardCharsets.UTF_8)).startsWith("<?xml");
    }

    private static ParetoPlot onePlot(List<Point> catalogue) {
        return new ParetoPlot("t", "x", "y", List.of(Series.catalogue("c", catalogue)));
    }

    private static List<Point> shuffled(List<Point> points) {
        List<Point> copy = new ArrayList<>(points.stream()
                .map(p -> new Point(p.x(), p.y(), p.label() == null ? null : new String(p.label())))
                .toList());
        Collections.shuffle(copy, new Random(1));
        return copy;
    }

    private static Element circleAt(List<Element> circles, double cx) {
        return circles.stream().filter(c -> number(c, "cx") == cx).findFirst().orElseThrow();
    }

    /** The cy the writer should give a point, computed from the y range the axis pads. */
    private static String cyOf(List<Point> points, Point point, double top, double bottom) {
        double lo = points.stream().mapToDouble(Point::y).min().orElseThrow();
        double hi = points.stream().mapToDouble(Point::y).max().orElseThrow();
        double min = lo - (hi - lo) * 0.04;
        double max = hi + (hi - lo) * 0.04;
        return SvgFormat.coordinate(bottom - (bottom - top) * (point.y() - min) / (max - min));
    }
}
