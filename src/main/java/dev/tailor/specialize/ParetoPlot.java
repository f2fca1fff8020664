package dev.tailor.specialize;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A Pareto plot of accuracy against cost. The axis labels carry units and the latency source (for
 * example "latency on host-cpu, ms (predicted)"), since the plot cannot know them.
 *
 * <p>The SVG is a pure function of this value: equal plots give byte-identical documents, so a
 * hash of the bytes serves as an HTTP ETag. Points within a series are drawn sorted, so a catalogue
 * read in another row order gives the same bytes; the order of the series themselves is kept (it
 * sets the legend and the colours).
 */
public record ParetoPlot(String title, String xLabel, String yLabel, List<Series> series) {

    public static final String MEDIA_TYPE = "image/svg+xml";

    public ParetoPlot {
        title = title == null ? "" : title;
        xLabel = xLabel == null ? "" : xLabel;
        yLabel = yLabel == null ? "" : yLabel;
        series = series == null ? List.of() : List.copyOf(series);
    }

    /** The SVG 1.1 document as text. */
    public String svg() {
        return ParetoSvg.render(this);
    }

    /** The SVG 1.1 document as UTF-8 bytes, as served. */
    public byte[] toSvg() {
        return svg().getBytes(StandardCharsets.UTF_8);
    }
}
