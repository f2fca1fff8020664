package dev.tailor.export;

import dev.tailor.latency.LatencyStats;
import org.springframework.stereotype.Component;

/**
 * Times an exported subnet's file on this host again, as its export timed it, and stores the new
 * timing beside the earlier ones: for an answer whose file was timed in a slow episode of the host.
 */
@Component
public class ExportedFileTimings {

    private final SubnetExporter exporter;
    private final ExportedSubnets exported;

    ExportedFileTimings(SubnetExporter exporter, ExportedSubnets exported) {
        this.exporter = exporter;
        this.exported = exported;
    }

    /** The file timed now (blocks while another timing or a catalogue build holds the host). */
    public LatencyStats time(byte[] bytes) {
        return exporter.timeFile(bytes).stats();
    }

    /** Stores the timing as the subnet's newest host-cpu measurement. */
    public void store(long subnetId, LatencyStats timing) {
        exported.storeHostTiming(subnetId, timing);
    }
}
