package dev.tailor.devices;

import dev.tailor.catalogue.Device;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Leases on a device's measurement tasks, so several agents of one device share the work: a task handed
 * out is leased for ten minutes, and a lease past its time is free for the next agent that asks.
 */
@Component
class MeasurementLeases {

    static final int LEASE_MINUTES = 10;

    private final JdbcClient jdbc;

    MeasurementLeases(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Takes the task's lease for this device unless another agent holds it now. */
    boolean take(Device device, String taskId) {
        return jdbc.sql("insert into measurement_lease (device_id, task_id, leased_until)"
                                + " values (:device, :task, now() + make_interval(mins => :minutes))"
                                + " on conflict (device_id, task_id) do update set leased_until = excluded.leased_until"
                                + " where measurement_lease.leased_until < now()")
                        .param("device", device.getId())
                        .param("task", taskId)
                        .param("minutes", LEASE_MINUTES)
                        .update()
                == 1;
    }

    /** Ends the task's lease, past its time or not; false when the device held none (nothing to answer). */
    boolean release(Device device, String taskId) {
        return jdbc.sql("delete from measurement_lease where device_id = :device and task_id = :task")
                        .param("device", device.getId())
                        .param("task", taskId)
                        .update()
                > 0;
    }
}
