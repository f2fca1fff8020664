package dev.tailor.devices;

import dev.tailor.api.Problems;
import dev.tailor.catalogue.Artifact;
import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.DeviceRepository;
import dev.tailor.catalogue.ExecutionProvider;
import dev.tailor.catalogue.LatencyMeasurement;
import dev.tailor.catalogue.LatencyMeasurementRepository;
import dev.tailor.catalogue.LatencySource;
import dev.tailor.catalogue.Subnet;
import dev.tailor.catalogue.SubnetRepository;
import dev.tailor.latency.DeviceRefits;
import dev.tailor.latency.SubnetLayers;
import dev.tailor.onnx.OnnxExport;
import dev.tailor.security.ApiKeys;
import dev.tailor.security.Caller;
import dev.tailor.security.IssuedKey;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What device agents talk to: a device's agent token, the measurement tasks its agents pull
 * (layer models for its latency table, exported subnets), and the measurements they post. Tasks
 * handed out are leased for ten minutes, so several agents of one device share the work. Every
 * accepted measurement queues a refit of the device's latency model (in the background, coalesced).
 */
@RestController
@RequestMapping(path = "/api/v1/devices/{name}", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "agents", description = "Device agents: measurement tasks and results")
@ConditionalOnProperty(name = "tailor.api.enabled", havingValue = "true", matchIfMissing = true)
@Validated
class AgentController {

    static final int LEASE_MINUTES = 10;

    private final DeviceRepository devices;
    private final SubnetRepository subnets;
    private final ArtifactRepository artifacts;
    private final LatencyMeasurementRepository measurements;
    private final DeviceRefits refits;
    private final ApiKeys keys;
    private final JdbcClient jdbc;

    AgentController(
            DeviceRepository devices,
            SubnetRepository subnets,
            ArtifactRepository artifacts,
            LatencyMeasurementRepository measurements,
            DeviceRefits refits,
            ApiKeys keys,
            JdbcClient jdbc) {
        this.devices = devices;
        this.subnets = subnets;
        this.artifacts = artifacts;
        this.measurements = measurements;
        this.refits = refits;
        this.keys = keys;
        this.jdbc = jdbc;
    }

    @Schema(description = "A new agent key for the device: shown once; the service keeps only its SHA-256.")
    record AgentToken(String device, String token, long keyId) {}

    @PostMapping("/agent-token")
    @Operation(
            operationId = "issueAgentToken",
            summary = "Issue a new agent key bound to the device; its earlier agent keys stop working (operator)")
    @ApiResponse(responseCode = "201", description = "Issued: the key is in this response only")
    ResponseEntity<AgentToken> issueToken(
            @PathVariable String name, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        devices.findByName(name).orElseThrow(() -> DeviceController.unknownDevice(name));
        IssuedKey issued = keys.rotateAgentKey(name, caller == null ? "anonymous" : caller.keyName());
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(new AgentToken(name, issued.key(), issued.details().id()));
    }

    @Schema(description = "One thing to time on the device, with the settings to time it with.")
    record MeasurementTask(
            @Schema(description = "layer:<key> or subnet:<id>")
            String id,

            @Schema(description = "layer or subnet") String kind,
            String layerKey,
            Long subnetId,
            String modelSha256,

            @Schema(description = "GET this for the ONNX model")
            String modelUrl,

            int batchSize,
            int resolution,
            int warmupRuns,
            int timedRuns,
            int threads,

            @Schema(description = "the execution provider to time with: the device's own")
            ExecutionProvider executionProvider) {}

    @GetMapping("/tasks")
    @Operation(
            operationId = "pullMeasurementTasks",
            summary = "Measurement tasks for this device's agents (needs an agent key bound to the device)")
    @Transactional
    List<MeasurementTask> tasks(
            @PathVariable String name, @RequestParam(defaultValue = "20") @Min(1) @Max(200) int limit) {
        Device device = device(name);
        List<MeasurementTask> tasks = new ArrayList<>();
        for (Map.Entry<String, PendingLayer> entry : layerUniverse().entrySet()) {
            if (tasks.size() >= limit) {
                break;
            }
            String taskId = "layer:" + entry.getKey();
            if (measuredLayer(device, entry.getKey()) || !lease(device, taskId)) {
                continue;
            }
            byte[] model = entry.getValue().layer().model().get();
            Artifact artifact = Artifact.of(model, OnnxExport.MEDIA_TYPE);
            if (!artifacts.existsById(artifact.getSha256())) {
                artifacts.save(artifact);
            }
            tasks.add(new MeasurementTask(
                    taskId,
                    "layer",
                    entry.getKey(),
                    null,
                    artifact.getSha256(),
                    "/api/v1/artifacts/" + artifact.getSha256(),
                    1,
                    entry.getValue().resolution(),
                    10,
                    50,
                    1,
                    device.getExecutionProvider()));
        }
        List<Subnet> exported = jdbc
                .sql("select s.id from subnet s where s.onnx_sha256 is not null and not exists"
                        + " (select 1 from latency_measurement m where m.subnet_id = s.id and m.device_id = :device"
                        + " and m.source = 'MEASURED') order by s.id")
                .param("device", device.getId())
                .query(Long.class)
                .list()
                .stream()
                .map(subnets::getReferenceById)
                .toList();
        for (Subnet subnet : exported) {
            if (tasks.size() >= limit) {
                break;
            }
            String taskId = "subnet:" + subnet.getId();
            if (!lease(device, taskId)) {
                continue;
            }
            tasks.add(new MeasurementTask(
                    taskId,
                    "subnet",
                    null,
                    subnet.getId(),
                    subnet.getOnnxSha256(),
                    "/api/v1/artifacts/" + subnet.getOnnxSha256(),
                    1,
                    SubnetConfig.parse(subnet.getConfig()).resolution(),
                    10,
                    50,
                    1,
                    device.getExecutionProvider()));
        }
        return tasks;
    }

    @Schema(description = "One timing an agent took with its local ONNX Runtime.")
    record MeasurementRequest(
            @Schema(description = "the layer's key, for a layer task (or subnetId)") @Size(max = 512)
            String layerKey,

            @Schema(description = "the subnet's id, for a subnet task (or layerKey)") @Positive
            Long subnetId,

            @NotNull @Min(1) @Max(4096) Integer batchSize,
            @NotNull @Min(1) @Max(4096) Integer resolution,

            @NotNull @Positive @DecimalMax(value = "600000", message = "must be at most 600000 ms")
            Double p50Ms,

            @PositiveOrZero @DecimalMax("600000") Double p90Ms,
            @PositiveOrZero @DecimalMax("600000") Double meanMs,
            @PositiveOrZero @DecimalMax("600000") Double stdMs,
            @NotNull @Min(1) @Max(1000000) Integer runs,
            @NotNull @Min(1) @Max(1024) Integer threads,
            @NotBlank @Size(max = 64) String runtimeVersion,

            @Schema(
                    description =
                            "the execution provider the timing ran on; must be the device's (default: assumed so)")
            ExecutionProvider executionProvider) {}

    @Schema(
            description = "The stored measurement. The device's latencies are refitted after the response, in the"
                    + " background; refitQueued is false when a refit already queued will include this measurement.")
    record MeasurementResponse(
            long id, String device, String layerKey, Long subnetId, double p50Ms, boolean refitQueued) {}

    @PostMapping(path = "/measurements", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            operationId = "postMeasurement",
            summary = "Store an agent's timing for this device (needs an agent key bound to the device)")
    @ApiResponse(responseCode = "201", description = "Stored")
    @Transactional
    ResponseEntity<MeasurementResponse> post(
            @PathVariable String name, @Valid @RequestBody MeasurementRequest request) {
        Device device = device(name);
        if ((request.layerKey() == null) == (request.subnetId() == null)) {
            throw Problems.badField(
                    "layerKey", "give exactly one of layerKey (a layer task) and subnetId (a subnet task)");
        }
        if (request.executionProvider() != null && request.executionProvider() != device.getExecutionProvider()) {
            throw Problems.badField(
                    "executionProvider",
                    "device '" + name + "' runs models with "
                            + device.getExecutionProvider().wireName() + "; a timing on "
                            + request.executionProvider().wireName() + " is not its latency");
        }
        if (request.p90Ms() != null && request.p90Ms() < request.p50Ms()) {
            throw Problems.badField("p90Ms", "must not be below p50Ms");
        }
        LatencyMeasurement.Timing timing = new LatencyMeasurement.Timing(
                request.p50Ms(),
                request.p90Ms(),
                request.meanMs(),
                request.stdMs(),
                request.runs(),
                request.threads(),
                request.runtimeVersion(),
                LatencySource.MEASURED);
        LatencyMeasurement stored;
        if (request.layerKey() != null) {
            PendingLayer layer = layerUniverse().get(request.layerKey());
            if (layer == null) {
                throw Problems.badField("layerKey", "not a layer of any catalogued supernet's space; use a task's key");
            }
            if (layer.resolution() != request.resolution()) {
                throw Problems.badField("resolution", "layer " + request.layerKey() + " takes " + layer.resolution());
            }
            stored = measurements.save(LatencyMeasurement.ofLayer(
                    device, request.layerKey(), request.batchSize(), request.resolution(), timing));
            release(device, "layer:" + request.layerKey());
        } else {
            Subnet subnet = subnets.findById(request.subnetId())
                    .orElseThrow(() -> Problems.badField("subnetId", "no subnet " + request.subnetId()));
            int resolution = SubnetConfig.parse(subnet.getConfig()).resolution();
            if (resolution != request.resolution()) {
                throw Problems.badField("resolution", "subnet " + subnet.getId() + " takes " + resolution);
            }
            stored = measurements.save(
                    LatencyMeasurement.ofSubnet(device, subnet, request.batchSize(), request.resolution(), timing));
            release(device, "subnet:" + subnet.getId());
        }
        boolean refitQueued = refits.request(device);
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(new MeasurementResponse(
                        stored.getId(), name, request.layerKey(), request.subnetId(), request.p50Ms(), refitQueued));
    }

    /** The device named in the path; the security filter has checked the caller's agent key is bound to it. */
    private Device device(String name) {
        return devices.findByName(name).orElseThrow(() -> DeviceController.unknownDevice(name));
    }

    /** A layer some catalogued space has, with the resolution of the subnets it comes from. */
    private record PendingLayer(SubnetLayers.Layer layer, int resolution) {}

    /** Every layer of the spaces of the catalogue's ready supernets, by key. */
    private Map<String, PendingLayer> layerUniverse() {
        Map<String, PendingLayer> universe = new LinkedHashMap<>();
        List<Object[]> spaces = jdbc.sql("select distinct space_spec::text, coalesce(num_classes, 10) from supernet"
                        + " where state = 'READY'")
                .query((rs, row) -> new Object[] {rs.getString(1), rs.getInt(2)})
                .list();
        for (Object[] row : spaces) {
            SearchSpace space;
            try {
                space = SearchSpace.fromJson((String) row[0]);
            } catch (RuntimeException unreadable) {
                continue;
            }
            for (int resolution : space.resolutions()) {
                SearchSpace one = new SearchSpace(
                        space.version(),
                        space.name(),
                        space.inputChannels(),
                        List.of(resolution),
                        space.stem(),
                        space.firstBlock(),
                        space.stages(),
                        space.kernels(),
                        space.depths(),
                        space.expands(),
                        space.head(),
                        space.dropout());
                SubnetLayers.ofSpace(one, (Integer) row[1])
                        .forEach((key, layer) -> universe.putIfAbsent(key, new PendingLayer(layer, resolution)));
            }
        }
        return universe;
    }

    private boolean measuredLayer(Device device, String key) {
        return Objects.requireNonNullElse(
                jdbc.sql("select exists (select 1 from latency_measurement where device_id = :device"
                                + " and layer_key = :key and source = 'MEASURED')")
                        .param("device", device.getId())
                        .param("key", key)
                        .query(Boolean.class)
                        .single(),
                false);
    }

    /** Takes the task's lease for this device unless another agent holds it now. */
    private boolean lease(Device device, String taskId) {
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

    private void release(Device device, String taskId) {
        jdbc.sql("delete from measurement_lease where device_id = :device and task_id = :task")
                .param("device", device.getId())
                .param("task", taskId)
                .update();
    }
}
