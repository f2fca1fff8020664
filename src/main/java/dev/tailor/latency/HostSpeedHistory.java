package dev.tailor.latency;

import java.util.List;

/** Where this host's timings of its reference subnets against a latency model are kept. */
interface HostSpeedHistory {

    /** One timing: the host's ratio of measured to predicted, and when (epoch milliseconds). */
    record Timing(double ratio, long atMillis) {}

    /** Keeps a timing of the model and forgets this host's timings older than {@code windowMillis}. */
    void keep(String modelKey, double ratio, long windowMillis);

    /** This host's timings of the model in the last {@code windowMillis}, oldest first. */
    List<Timing> recent(String modelKey, long windowMillis);
}
