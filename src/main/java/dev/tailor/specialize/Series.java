package dev.tailor.specialize;

import java.util.List;
import java.util.Objects;

/**
 * A named set of points drawn one way. Catalogue series are drawn first and served ones last, so
 * that the subnets in service stay visible; series of one kind are drawn, and listed in the legend,
 * in list order. A series with no drawable point is left out of the legend.
 */
public record Series(String name, Kind kind, List<Point> points) {

    public enum Kind {
        /** Every measured subnet: small grey circles, the background cloud. */
        CATALOGUE,
        /** The non-dominated subnets: a line joined in x order, with markers. */
        FRONT,
        /** The subnets actually deployed: large highlighted diamonds with their labels. */
        SERVED
    }

    public Series {
        name = name == null ? "" : name;
        Objects.requireNonNull(kind, "kind");
        points = points == null ? List.of() : List.copyOf(points);
    }

    public static Series catalogue(String name, List<Point> points) {
        return new Series(name, Kind.CATALOGUE, points);
    }

    public static Series front(String name, List<Point> points) {
        return new Series(name, Kind.FRONT, points);
    }

    public static Series served(String name, List<Point> points) {
        return new Series(name, Kind.SERVED, points);
    }
}
