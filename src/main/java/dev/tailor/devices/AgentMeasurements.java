package dev.tailor.devices;

import dev.tailor.api.Problems;
import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.ExecutionProvider;
import dev.tailor.catalogue.LatencyMeasurement;
import dev.tailor.catalogue.LatencyMeasurementRepository;
import dev.tailor.catalogue.LatencySource;
import dev.tailor.catalogue.Subnet;
import dev.tailor.catalogue.SubnetRepository;
import dev.tailor.latency.DeviceRefits;
import dev.tailor.space.SubnetConfig;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Stores an agent's timing as a measured latency of its device, frees the task's lease, and queues a refit
 * of the device's latency model (in the background, coalesced). A timing that cannot be the device's latency
 * of a known layer or subnet is refused with the field at fault, and nothing is stored.
 */
@Service
class AgentMeasurements {

    private final CataloguedLayers layers;
    private final MeasurementLeases leases;
    private final LatencyMeasurementRepository measurements;
    private final SubnetRepository subnets;
    private final DeviceRefits refits;

    AgentMeasurements(
            CataloguedLayers layers,
            MeasurementLeases leases,
            LatencyMeasurementRepository measurements,
            SubnetRepository subnets,
            DeviceRefits refits) {
        this.layers = layers;
        this.leases = leases;
        this.measurements = measurements;
        this.subnets = subnets;
        this.refits = refits;
    }

    @Transactional
    MeasurementResponse record(Device device, MeasurementRequest request) {
        if ((request.layerKey() == null) == (request.subnetId() == null)) {
            throw Problems.badField(
                    "layerKey", "give exactly one of layerKey (a layer task) and subnetId (a subnet task)");
        }
        if (request.batchSize() != MeasurementTasks.BATCH_SIZE) {
            // every latency read is at batch 1: a timing at another batch was stored, its task counted as done,
            // and never used, so the device kept its estimates for good
            throw Problems.badField(
                    "batchSize",
                    "tasks are timed at batch " + MeasurementTasks.BATCH_SIZE + "; time the task as it says");
        }
        if (request.threads() != MeasurementTasks.THREADS) {
            // one fit of timings taken with different thread counts would be no device's latency
            throw Problems.badField(
                    "threads", "tasks are timed on " + MeasurementTasks.THREADS + " thread; time the task as it says");
        }
        if (request.executionProvider() == null && device.getExecutionProvider() != ExecutionProvider.CPU) {
            // an agent that does not say is one that times on the CPU provider: not this device's latency
            throw Problems.badField(
                    "executionProvider",
                    "device '" + device.getName() + "' runs models with "
                            + device.getExecutionProvider().wireName()
                            + "; say which provider the timing ran on (an agent that does not say times on the CPU)");
        }
        if (request.executionProvider() != null && request.executionProvider() != device.getExecutionProvider()) {
            throw Problems.badField(
                    "executionProvider",
                    "device '" + device.getName() + "' runs models with "
                            + device.getExecutionProvider().wireName() + "; a timing on "
                            + request.executionProvider().wireName() + " is not its latency");
        }
        if (request.p90Ms() != null && request.p90Ms() < request.p50Ms()) {
            throw Problems.badField("p90Ms", "must not be below p50Ms");
        }
        LatencyMeasurement stored =
                request.layerKey() != null ? storeLayer(device, request) : storeSubnet(device, request);
        boolean refitQueued = refits.request(device);
        return new MeasurementResponse(
                stored.getId(), device.getName(), request.layerKey(), request.subnetId(), request.p50Ms(), refitQueued);
    }

    private LatencyMeasurement storeLayer(Device device, MeasurementRequest request) {
        CataloguedLayers.PendingLayer layer = layers.byKey().get(request.layerKey());
        if (layer == null) {
            throw Problems.badField("layerKey", "not a layer of any catalogued supernet's space; use a task's key");
        }
        if (layer.resolution() != request.resolution()) {
            throw Problems.badField("resolution", "layer " + request.layerKey() + " takes " + layer.resolution());
        }
        answerLease(device, "layer:" + request.layerKey());
        return measurements.save(LatencyMeasurement.ofLayer(
                device, request.layerKey(), request.batchSize(), request.resolution(), timing(request)));
    }

    private LatencyMeasurement storeSubnet(Device device, MeasurementRequest request) {
        Subnet subnet = subnets.findById(request.subnetId())
                .orElseThrow(() -> Problems.badField("subnetId", "no subnet " + request.subnetId()));
        int resolution = SubnetConfig.parse(subnet.getConfig()).resolution();
        if (resolution != request.resolution()) {
            throw Problems.badField("resolution", "subnet " + subnet.getId() + " takes " + resolution);
        }
        answerLease(device, "subnet:" + subnet.getId());
        return measurements.save(LatencyMeasurement.ofSubnet(
                device, subnet, request.batchSize(), request.resolution(), timing(request)));
    }

    /**
     * A timing answers a task handed to this device (its lease, lapsed or not): without one a key could
     * put "measured" latencies on any subnet, and an agent posting after its lease lapsed and another
     * agent took the task stored the task's second measurement. The lease ends here, in the measurement's
     * transaction, so of two posts for one task the later finds none.
     */
    private void answerLease(Device device, String taskId) {
        if (!leases.release(device, taskId)) {
            throw notLeased(
                    "task " + taskId + " is not leased to device '" + device.getName()
                            + "': it was measured already or never handed out; time the tasks GET .../tasks gives",
                    request(taskId));
        }
    }

    /** The problem type an agent tells from other conflicts: nothing to try again, the task is answered. */
    static final java.net.URI TASK_NOT_LEASED = java.net.URI.create("urn:tailor:problem:task-not-leased");

    private static org.springframework.web.ErrorResponseException notLeased(String detail, String field) {
        org.springframework.web.ErrorResponseException conflict = Problems.conflict(detail, field);
        conflict.getBody().setType(TASK_NOT_LEASED);
        return conflict;
    }

    private static String request(String taskId) {
        return taskId.startsWith("layer:") ? "layerKey" : "subnetId";
    }

    private static LatencyMeasurement.Timing timing(MeasurementRequest request) {
        return new LatencyMeasurement.Timing(
                request.p50Ms(),
                request.p90Ms(),
                request.meanMs(),
                request.stdMs(),
                request.runs(),
                request.threads(),
                request.runtimeVersion(),
                LatencySource.MEASURED);
    }
}
