package dev.tailor.specialize;

import java.util.UUID;

/**
 * A searched pick waiting for its export: all the export job needs to export it and store the
 * answer, in whichever worker process takes the job. Stored as the job's data (JSON).
 *
 * @param requestKey the answer's key (supernet, device, budget, predictor)
 * @param config the picked subnet's canonical config JSON
 * @param latency the latency the answer states; for a device timed at export (host-cpu) its
 *     figure is replaced by the export's measurement
 * @param latencyMeasuredAtExport whether the export's own timing is the stated latency
 * @param search the search's facts; its total time is filled in when the answer is stored
 * @param requestedAtMillis when the request came (epoch milliseconds), for the total time
 * @param failedAttempts how often the export has failed on its own account so far (a hand-back by a
 *     stopping worker or a database outage is not one); absent in jobs queued before it was kept: 0
 */
record PendingExport(
        String requestKey,
        UUID supernetId,
        long deviceId,
        String device,
        SpecializationResponse.Budget budget,
        String config,
        double predictedAccuracy,
        String bindingConstraint,
        SpecializationResponse.Latency latency,
        boolean latencyMeasuredAtExport,
        SpecializationResponse.Search search,
        long searchNanos,
        long requestedAtMillis,
        Integer failedAttempts) {

    PendingExport {
        failedAttempts = failedAttempts == null ? 0 : failedAttempts;
    }

    PendingExport withFailedAttempts(int failures) {
        return new PendingExport(
                requestKey,
                supernetId,
                deviceId,
                device,
                budget,
                config,
                predictedAccuracy,
                bindingConstraint,
                latency,
                latencyMeasuredAtExport,
                search,
                searchNanos,
                requestedAtMillis,
                failures);
    }
}
