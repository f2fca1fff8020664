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
 * stored before it begins. Queued after the measurement's transaction commits, so the refresh sees it.
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

    /** Queues a refresh of the device unless one is queued and not yet begun; true when this call queued it. */
    public boolean request(Device device) {
        long id = device.getId();
        if (!queued.add(id)) {
            return false;
        }
        Runnable submit = () -> worker.execute(() -> {
            // taken off first: a measurement stored while this refresh runs queues the next one
            queued.remove(id);
            try {
                devices.findById(id).ifPresent(latencies::refresh);
            } catch (RuntimeException e) {
                log.warn("Could not refresh the latencies of device {}: {}", device.getName(), e.getMessage());
            }
        });
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    if (status == STATUS_COMMITTED) {
                        submit.run();
                    } else {
                        queued.remove(id);
                    }
                }
            });
        } else {
            submit.run();
        }
        return true;
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }
}
