package dev.tailor.devices;

import dev.tailor.catalogue.Artifact;
import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.Subnet;
import dev.tailor.catalogue.SubnetRepository;
import dev.tailor.onnx.OnnxExport;
import dev.tailor.space.SubnetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What a device's agents are given to time: first the layers its latency table lacks, then the exported
 * subnets it has no measured latency for. Each task handed out is leased, so two agents of one device never
 * time the same thing at once.
 */
@Service
class MeasurementTasks {

    static final int BATCH_SIZE = 1;
    private static final int WARMUP_RUNS = 10;
    private static final int TIMED_RUNS = 50;
    static final int THREADS = 1;

    private final CataloguedLayers layers;
    private final MeasurementLeases leases;
    private final ArtifactRepository artifacts;
    private final SubnetRepository subnets;
    private final JdbcClient jdbc;

    MeasurementTasks(
            CataloguedLayers layers,
            MeasurementLeases leases,
            ArtifactRepository artifacts,
            SubnetRepository subnets,
            JdbcClient jdbc) {
        this.layers = layers;
        this.leases = leases;
        this.artifacts = artifacts;
        this.subnets = subnets;
        this.jdbc = jdbc;
    }

    /** Up to {@code limit} tasks for the device, each leased to the caller. */
    @Transactional
    List<MeasurementTask> pull(Device device, int limit) {
        List<MeasurementTask> tasks = new ArrayList<>();
        for (Map.Entry<String, CataloguedLayers.PendingLayer> entry :
                layers.byKey().entrySet()) {
            if (tasks.size() >= limit) {
                return tasks;
            }
            String key = entry.getKey();
            String taskId = "layer:" + key;
            if (layers.measured(device, key) || !leases.take(device, taskId)) {
                continue;
            }
            Artifact model = storedModel(entry.getValue().layer().model().get());
            tasks.add(task(
                    device,
                    taskId,
                    "layer",
                    key,
                    null,
                    model.getSha256(),
                    entry.getValue().resolution()));
        }
        for (Subnet subnet : exportedWithoutMeasurement(device)) {
            if (tasks.size() >= limit) {
                return tasks;
            }
            String taskId = "subnet:" + subnet.getId();
            if (!leases.take(device, taskId)) {
                continue;
            }
            int resolution = SubnetConfig.parse(subnet.getConfig()).resolution();
            tasks.add(task(device, taskId, "subnet", null, subnet.getId(), subnet.getOnnxSha256(), resolution));
        }
        return tasks;
    }

    private Artifact storedModel(byte[] onnx) {
        Artifact artifact = Artifact.of(onnx, OnnxExport.MEDIA_TYPE);
        artifacts.storeIfAbsent(artifact);
        return artifact;
    }

    private List<Subnet> exportedWithoutMeasurement(Device device) {
        return jdbc
                .sql("select s.id from subnet s where s.onnx_sha256 is not null and not exists"
                        + " (select 1 from latency_measurement m where m.subnet_id = s.id and m.device_id = :device"
                        + " and m.source = 'MEASURED' and m.batch_size = 1) order by s.id")
                .param("device", device.getId())
                .query(Long.class)
                .list()
                .stream()
                .map(subnets::getReferenceById)
                .toList();
    }

    private static MeasurementTask task(
            Device device,
            String taskId,
            String kind,
            String layerKey,
            Long subnetId,
            String modelSha256,
            int resolution) {
        return new MeasurementTask(
                taskId,
                kind,
                layerKey,
                subnetId,
                modelSha256,
                "/api/v1/artifacts/" + modelSha256,
                BATCH_SIZE,
                resolution,
                WARMUP_RUNS,
                TIMED_RUNS,
                THREADS,
                device.getExecutionProvider());
    }
}
