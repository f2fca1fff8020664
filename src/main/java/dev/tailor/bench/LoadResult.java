package dev.tailor.bench;

/** What one scenario's timed run gave: counts, its length, and latency percentiles in milliseconds. */
record LoadResult(
        long requests, long errors, double seconds, double p50, double p90, double p99, double p999, double max) {

    double requestsPerSecond() {
        return requests / seconds;
    }
}
