package dev.tailor.catalogue;

import java.util.UUID;

/** What happened to a supernet's catalogue, for the features that follow it (builds, predictors). */
public final class CatalogueEvents {

    private CatalogueEvents() {}

    /** A training run registered a READY supernet. */
    public record SupernetTrained(UUID supernetId) {}

    /** A catalogue build is about to evaluate subnets (in its own thread, before the first). */
    public record CatalogueBuildStarting(UUID supernetId) {}

    /**
     * A catalogue build added evaluated subnets (it finished, or wrote another batch).
     *
     * @param buildCancelled the build finished because an operator cancelled it (its rows count like any other)
     */
    public record CatalogueGrew(UUID supernetId, int evaluatedSubnets, boolean buildFinished, boolean buildCancelled) {}
}
