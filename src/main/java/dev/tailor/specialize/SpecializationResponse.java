package dev.tailor.specialize;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.OffsetDateTime;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** A tailored subnet: what was asked, what was picked and how it measured, and where its ONNX file is. */
@Schema(description = "A tailored subnet with its measured accuracy, latency, costs and ONNX artifact.")
public record SpecializationResponse(
        UUID id,
        UUID supernetId,
        String device,

        @Schema(types = "object", description = "The request as understood, defaults filled in")
        Budget budget,

        @Schema(types = "object", implementation = Object.class, description = "The subnet config (canonical JSON)")
        JsonNode config,

        String configSha256,
        Accuracy accuracy,
        Latency latency,
        long macs,
        long params,
        long peakActivationBytes,

        @Schema(
                description =
                        "The constraint with the least slack: latencyMs, macs, params, memoryBytes or" + " minAccuracy")
        String bindingConstraint,

        Search search,
        Artifact artifact,
        OffsetDateTime createdAt) {

    public record Budget(
            Double latencyMs, Long macs, Long params, Long memoryBytes, Double minAccuracy, String objective) {}

    /**
     * @param predicted the accuracy predictor's estimate that the search ranked by (a fraction)
     * @param validation top-1 of the exported model on the validation split (ONNX Runtime)
     * @param test top-1 on the test split (reported only; nothing chooses by it)
     */
    public record Accuracy(double predicted, double validation, double test, int validationImages, int testImages) {}

    /**
     * @param ms batch-1 p50 on the device
     * @param source measured (timed here), predicted (the device's fitted model) or estimated (roofline)
     * @param expectedError how far the figure may be off
     * @param searchedMs the latency the search worked with (on host-cpu, after the speed check's scaling)
     * @param speedCheck host-cpu, latency budgets: the host's speed against its model just before the search
     * @param timedInSlowEpisode host-cpu: the timing at export still read a slow episode after the wait
     *     (and no worker has re-timed the file since)
     * @param retimed host-cpu: the file was timed in a slow episode at export and timed again later by a
     *     worker, whose figure {@code ms} now is; null otherwise
     */
    public record Latency(
            double ms,
            String source,
            ExpectedError expectedError,
            Double searchedMs,

            @Schema(
                    description = "host-cpu with a latencyMs budget: the host's speed against its latency model just"
                            + " before the search, and whether the search scaled the model by it; null otherwise")
            SpeedCheck speedCheck,

            @Schema(
                    description = "host-cpu: true when the file's timing at export still read a slow episode of the"
                            + " host (1.25x the latency searched with or more) after waiting for it to pass, so ms"
                            + " is the host's slow state, not its usual one; null where nothing is timed at"
                            + " export")
            Boolean timedInSlowEpisode,

            @Schema(
                    description = "host-cpu: set when the file was timed in a slow episode at export and a worker"
                            + " timed it again once the host ran at its usual speed; ms is then that later"
                            + " timing. Null otherwise")
            Retimed retimed) {}

    /**
     * @param msAtExport the figure the file was stored with, timed in a slow episode of the host
     * @param at when a worker timed it again
     */
    @Schema(description = "A file timed in a slow episode at export and timed again later")
    public record Retimed(double msAtExport, OffsetDateTime at) {}

    /**
     * host-cpu's model against the host as it ran just before the search: reference subnets timed
     * in 8 rounds over about a second.
     *
     * @param measuredOverPredicted the host's ratio: the lower quartile over the rounds of each
     *     round's median over the references of measured / predicted latency
     * @param referenceSubnets how many were timed (the space's smallest, largest and seeded random ones)
     * @param fastestRound the least round ratio
     * @param slowestRound the largest round ratio (far above the host's ratio: the host slowed for a while)
     * @param applied whether the search scaled the model's predictions by the host's ratio
     * @param tolerance how far from 1 the ratio may be before it is applied
     * @param waitedSeconds how long the check waited for a slow episode of the host to pass
     * @param ageSeconds how long before the search the references were timed
     * @param slowEpisodeRatio the ratio read when the check found the host in a slow episode and took
     *     measuredOverPredicted from its usual state over the last hour instead; null otherwise
     */
    public record SpeedCheck(
            double measuredOverPredicted,
            int referenceSubnets,
            double fastestRound,
            double slowestRound,
            boolean applied,
            double tolerance,
            long waitedSeconds,
            long ageSeconds,

            @Schema(
                    description = "Set when the check found the host in a slow episode (1.25x its model or"
                            + " slower) and, rather than wait it out or search for it, took"
                            + " measuredOverPredicted from the median of the host's timings outside episodes"
                            + " over the last hour (5 at least): the ratio it read. An answer is stored for"
                            + " good, so it is searched for the host's usual state. Null otherwise")
            Double slowEpisodeRatio) {}

    /**
     * @param mapePercent mean absolute percentage error on held-out measured subnets; null for estimates
     * @param within10Percent share of those within +-10 %, in percent
     * @param heldOutSubnets how many measured subnets the figures come from
     * @param note in words, e.g. that a roofline estimate is a lower bound
     * @param nearPick the model's error on the held-out subnets it predicts nearest the pick; null without
     *     them (estimates, models stored before they were kept) and in listings of a device's model
     * @param hostVariation host-cpu, latency budgets: how far the host's own speed moved lately; null otherwise
     */
    public record ExpectedError(
            Double mapePercent,
            Double within10Percent,
            Integer heldOutSubnets,
            String note,

            @Schema(
                    description = "The latency model's error on the held-out subnets it predicts nearest the pick"
                            + " (a correction fitted over the whole range errs more at its small end); null for"
                            + " estimates and for a model stored without its held-out pairs")
            NearPick nearPick,

            @Schema(
                    description = "host-cpu with a latencyMs budget: how far this host's speed moved between timings"
                            + " of its reference subnets lately, which a file timed at export and timed again later"
                            + " differ by besides the model's error; null otherwise")
            HostVariation hostVariation) {

        ExpectedError withHostVariation(HostVariation variation) {
            return new ExpectedError(mapePercent, within10Percent, heldOutSubnets, note, nearPick, variation);
        }

        /** The error near the pick, and the host's variation combined with it where that is larger. */
        ExpectedError withNearPick(NearPick near) {
            ExpectedError withNear = new ExpectedError(mapePercent, within10Percent, heldOutSubnets, note, near, null);
            return withNear.withHostVariation(
                    hostVariation == null ? null : hostVariation.withModel(withNear.modelPercent()));
        }

        /**
         * The model's error a later timing of the pick may show besides the host's own variation:
         * its MAPE, or its MAPE near the pick where that is larger; null for estimates.
         */
        Double modelPercent() {
            if (mapePercent == null) {
                return null;
            }
            return nearPick == null ? mapePercent : Math.max(mapePercent, nearPick.mapePercent());
        }
    }

    /**
     * The latency model's error on the held-out subnets whose predictions are nearest the pick's (by
     * ratio), from the calibration pass that scored it.
     *
     * @param heldOutSubnets how many (10, or all there are)
     * @param fromMs the least of their predictions
     * @param toMs the largest
     * @param mapePercent their mean absolute percentage error
     * @param biasPercent 100 x (their mean of measured over predicted - 1): above 0, such subnets ran slower than
     *     predicted
     * @param worstPercent their largest absolute percentage error
     */
    @Schema(description = "The latency model's error on the held-out subnets it predicts nearest the pick")
    public record NearPick(
            int heldOutSubnets,
            double fromMs,
            double toMs,
            double mapePercent,

            @Schema(
                    description = "100 x (mean of measured over predicted - 1): above 0, subnets of this size ran"
                            + " slower than predicted")
            double biasPercent,

            double worstPercent) {}

    /**
     * How far host-cpu's speed moved between timings of the space's reference subnets (the speed
     * check's and, on a worker, one a minute) over the last hour, slow episodes left out.
     *
     * @param percent 100 x (the 90th percentile of the timings' ratios to the model over the 10th - 1);
     *     null until 5 timings are kept
     * @param timings how many timings it comes from
     * @param slowEpisodes timings left out: 1.25 x the median or slower (no export is timed in one)
     * @param slowEpisodeFactor the slowest of those over the median; null without one
     * @param minutes from the first kept timing to the last
     * @param withModelPercent the model's MAPE and this together, 100 x ((1 + mape)(1 + percent) - 1):
     *     how far a re-timing of the file may read from the stated figure; null without both
     */
    @Schema(
            description =
                    "How far host-cpu's speed moved between timings of the space's reference subnets over the"
                            + " last hour (the speed check's passes and a worker's watch, one a minute), slow episodes left out")
    public record HostVariation(
            @Schema(
                    description = "100 x (90th over 10th percentile of the timings' ratios to the model - 1); null"
                            + " until 5 timings are kept")
            Double percent,

            @Schema(description = "Timings it comes from") int timings,

            @Schema(description = "Timings left out: 1.25x their median or slower (no export is timed in one)")
            int slowEpisodes,

            @Schema(
                    description = "The slowest of those over the timings' median: how much slower a timing of the"
                            + " file in such an episode reads; null without one")
            Double slowEpisodeFactor,

            @Schema(description = "Minutes from the first kept timing to the last")
            long minutes,

            @Schema(
                    description = "The model's MAPE (near the pick where that is larger) and the host's variation"
                            + " together, 100 x ((1 + MAPE)(1 + percent) - 1): how far a later timing of the file"
                            + " may read from the stated figure; null without both")
            Double withModelPercent) {

        /**
         * @param modelPercent the model's error in percent, or null
         */
        static HostVariation of(
                Double percent,
                int timings,
                int slowEpisodes,
                Double slowEpisodeFactor,
                long minutes,
                Double modelPercent) {
            return new HostVariation(
                    percent,
                    timings,
                    slowEpisodes,
                    slowEpisodeFactor,
                    minutes,
                    percent == null || modelPercent == null
                            ? null
                            : 100 * ((1 + modelPercent / 100) * (1 + percent / 100) - 1));
        }

        HostVariation withModel(Double modelPercent) {
            return of(percent, timings, slowEpisodes, slowEpisodeFactor, minutes, modelPercent);
        }
    }

    public record Search(
            String objective,
            int generations,
            int candidatesScored,
            long searchMillis,
            long totalMillis,
            long seed,
            int predictorVersion) {}

    public record Artifact(String sha256, long sizeBytes, String mediaType, String url) {}
}
