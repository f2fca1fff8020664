package dev.tailor.predictor;

/** Least-squares line of accuracy on MACs: the baseline a learned predictor has to beat. */
record MacsLine(double intercept, double slope) {

    static MacsLine fit(long[] macs, double[] accuracies) {
        int n = macs.length;
        double meanMacs = 0;
        double meanAccuracy = 0;
        for (int i = 0; i < n; i++) {
            meanMacs += macs[i];
            meanAccuracy += accuracies[i];
        }
        meanMacs /= n;
        meanAccuracy /= n;
        // centred sums, so MACs in the tens of millions lose no precision to the squares
        double covariance = 0;
        double variance = 0;
        for (int i = 0; i < n; i++) {
            double dm = macs[i] - meanMacs;
            covariance += dm * (accuracies[i] - meanAccuracy);
            variance += dm * dm;
        }
        double slope = variance == 0 ? 0 : covariance / variance;
        return new MacsLine(meanAccuracy - slope * meanMacs, slope);
    }

    double predict(long macs) {
        return intercept + slope * macs;
    }
}
