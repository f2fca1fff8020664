package dev.tailor.predictor;

/**
 * How a predictor fitted on a seeded 80 % of the measured subnets does on the other 20 %. Errors
 * are in accuracy points (percentage points). The noise floor is the RMS binomial standard error
 * of the held-out measurements themselves, {@code sqrt(p (1 - p) / images)}: no predictor can be
 * expected to land closer to them than that. The MACs fit is the baseline to beat, a least-squares
 * line of accuracy on MACs fitted and scored on the same rows.
 *
 * @param trainCount rows the predictor was fitted on
 * @param heldOutCount rows the figures below are computed on
 * @param baseAccuracy the mean training accuracy, a fraction: the predictor's fixed offset
 * @param rmsePoints the predictor's held-out root mean square error
 * @param kendallTau Kendall's tau-b between predicted and measured held-out accuracies
 * @param noiseFloorPoints the held-out measurements' RMS binomial standard error
 * @param macsRmsePoints the MACs line's held-out root mean square error
 * @param macsKendallTau Kendall's tau-b between the MACs line's predictions and the measurements
 */
public record PredictorReport(
        int trainCount,
        int heldOutCount,
        double baseAccuracy,
        double rmsePoints,
        double kendallTau,
        double noiseFloorPoints,
        double macsRmsePoints,
        double macsKendallTau) {}
