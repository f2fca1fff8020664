package dev.tailor.latency;

import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.DeviceRepository;
import jakarta.annotation.PreDestroy;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Refreshes a device's latencies (refit and every catalogued subnet's row) off the request that
 * brought a new measurement: an agent posting twenty measurements in a row waits for none of the
 * refreshes, and they coalesce, since a refresh queued and not yet begun covers every measurement
 * stored before it begins. Whether to ride along or queue one is decided only once the measurement's
 * transaction has committed: a refresh that began reading before that commit cannot see the measurement.
 */
@Component
public class DeviceRefits {

    private static final Logger log = LoggerFactory.getLogger(DeviceRefits.class);

    private final DeviceLatencies latencies;
    private final DeviceRepository devices;
    private final Set<Long> queued = ConcurrentHashMap.newKeySet();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "device-refit");
        thread.setDaemon(true);
        return thread;
    });

    DeviceRefits(DeviceLatencies latencies, DeviceRepository devices) {
        this.latencies = latencies;
        this.devices = devices;
    }

    /**
     * Sees to it that a refresh of the device reads this measurement once the caller's transaction (if any)
     * has committed: one queued and not yet begun, or else a new one. True when this call queued one; inside
     * a transaction the decision waits for the commit, so there it is a forecast: true when none is queued yet.
     */
    public boolean request(Device device) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            return queueUnlessQueued(device);
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                // a rolled-back measurement needs no refresh
                if (status == STATUS_COMMITTED) {
                    queueUnlessQueued(device);
                }
            }
        });
        return !queued.contains(device.getId());
    }

    /** Called once the measurement is committed only: a refresh still queued then is sure to read it. */
    private boolean queueUnlessQueued(Device device) {
        long id = device.getId();
        if (!queued.add(id)) {
            return false;
        }
        worker.execute(() -> {
            // taken off before reading: a measurement committed after this point queues the next refresh
            queued.remove(id);
            try {
                devices.findById(id).ifPresent(latencies::refresh);
            } catch (RuntimeException e) {
                log.warn("Could not refresh the latencies of device {}: {}", device.getName(), e.getMessage());
            }
        });
        return true;
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }
}
