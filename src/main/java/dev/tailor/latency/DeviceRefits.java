package dev.tailor.latency;

import dev.tailor.PeriodicWork;
import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.DeviceRepository;
import jakarta.annotation.PreDestroy;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
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
    private final JdbcClient jdbc;
    private final PeriodicWork sweeps;
    private final Set<Long> queued = ConcurrentHashMap.newKeySet();
    /** Devices this process refreshes now: owed until that refresh commits, and not to be queued again. */
    private final Set<Long> running = ConcurrentHashMap.newKeySet();

    private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "device-refit");
        thread.setDaemon(true);
        return thread;
    });

    DeviceRefits(
            DeviceLatencies latencies,
            DeviceRepository devices,
            JdbcClient jdbc,
            @Value("${tailor.latency.refit-sweep-seconds:60}") long sweepSeconds) {
        this.latencies = latencies;
        this.devices = devices;
        this.jdbc = jdbc;
        this.sweeps = new PeriodicWork(
                "device-refit-sweep",
                "tailor.latency.refit-sweep-seconds",
                sweepSeconds,
                Math.min(sweepSeconds, 30),
                this::sweep,
                log);
    }

    @EventListener(ApplicationReadyEvent.class)
    void startSweeps() {
        sweeps.start();
    }

    /**
     * Queues the refresh of every device owed one: a measurement stored after the last refresh read
     * began, whose queued refresh was lost with the process or failed (the database away). The queue is
     * in memory; this is what makes a measurement's refit durable. How many it queued.
     */
    public int sweep() {
        List<Long> owed = jdbc.sql("select id from device where measured_version > refreshed_version order by id")
                .query(Long.class)
                .list();
        int queuedNow = 0;
        for (long id : owed) {
            Optional<Device> device = devices.findById(id);
            if (device.isPresent() && !running.contains(id) && queueUnlessQueued(device.get())) {
                log.info(
                        "Device {} is owed a refit of its latencies (lost or failed before): queued it",
                        device.get().getName());
                queuedNow++;
            }
        }
        return queuedNow;
    }

    /**
     * Sees to it that a refresh of the device reads this measurement once the caller's transaction (if any)
     * has committed: one queued and not yet begun, or else a new one. True when this call queued one; inside
     * a transaction the decision waits for the commit, so there it is a forecast: true when none is queued yet.
     */
    public boolean request(Device device) {
        // in the measurement's transaction: stored with it, the refit owed survives this process
        jdbc.sql("update device set measured_version = measured_version + 1 where id = ?")
                .param(device.getId())
                .update();
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
            running.add(id);
            queued.remove(id);
            try {
                devices.findById(id).ifPresent(latencies::refresh);
            } catch (RuntimeException e) {
                log.warn("Could not refresh the latencies of device {}: {}", device.getName(), e.getMessage());
            } finally {
                running.remove(id);
            }
        });
        return true;
    }

    @PreDestroy
    void stop() {
        sweeps.stop();
        worker.shutdownNow();
    }
}
