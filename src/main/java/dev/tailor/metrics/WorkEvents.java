package dev.tailor.metrics;

import java.util.UUID;

/** What long work tells the metrics as it goes; published as application events, handled in this thread. */
public final class WorkEvents {

    private WorkEvents() {}

    /** A training job's step: how far it is (0..1) and how fast it trains. */
    public record TrainingProgressed(UUID job, double fractionDone, double imagesPerSecond) {}

    /** A catalogue build evaluated a subnet. */
    public record CatalogueBuildProgressed(UUID build, double fractionDone, double subnetsPerMinute) {}

    /** A job of this kind (training, catalogue-build) stopped running here, however it ended. */
    public record WorkEnded(String kind, UUID id) {}

    /** A specialization answered: from the catalogue, or searched (and exported) now. */
    public record SpecializationAnswered(boolean fromCatalogue, long searchNanos, long exportNanos) {}
}
