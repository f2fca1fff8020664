package dev.tailor.devices;

import dev.tailor.api.Problems;
import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.DeviceRepository;
import dev.tailor.security.ApiKeys;
import dev.tailor.security.Caller;
import dev.tailor.security.IssuedKey;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What device agents talk to: a device's agent key, the measurement tasks its agents pull (layer models for
 * its latency table, exported subnets), and the measurements they post. The security filter has checked
 * that an agent's key is bound to the device in the path; leases, storage and refits live in
 * {@link MeasurementTasks} and {@link AgentMeasurements}.
 */
@RestController
@RequestMapping(path = "/api/v1/devices/{name}", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "agents", description = "Device agents: measurement tasks and results")
@ConditionalOnProperty(name = "tailor.api.enabled", havingValue = "true", matchIfMissing = true)
@Validated
class AgentController {

    private final DeviceRepository devices;
    private final MeasurementTasks tasks;
    private final AgentMeasurements measurements;
    private final ApiKeys keys;

    AgentController(DeviceRepository devices, MeasurementTasks tasks, AgentMeasurements measurements, ApiKeys keys) {
        this.devices = devices;
        this.tasks = tasks;
        this.measurements = measurements;
        this.keys = keys;
    }

    @Schema(description = "A new agent key for the device: shown once; the service keeps only its SHA-256.")
    record AgentToken(String device, String token, long keyId) {}

    @PostMapping("/agent-token")
    @Operation(
            operationId = "issueAgentToken",
            summary = "Issue a new agent key bound to the device; its earlier agent keys stop working (operator)")
    @ApiResponse(
            responseCode = "201",
            description = "Issued: the key is in this response only; Location names the key under /api/v1/api-keys")
    ResponseEntity<AgentToken> issueToken(
            @PathVariable String name, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        agentDevice(name);
        IssuedKey issued = keys.rotateAgentKey(name, caller == null ? "anonymous" : caller.keyName());
        return ResponseEntity.created(
                        URI.create("/api/v1/api-keys/" + issued.details().id()))
                .body(new AgentToken(name, issued.key(), issued.details().id()));
    }

    @GetMapping("/tasks")
    @Operation(
            operationId = "pullMeasurementTasks",
            summary = "Measurement tasks for this device's agents (needs an agent key bound to the device)")
    List<MeasurementTask> tasks(
            @PathVariable String name, @RequestParam(defaultValue = "20") @Min(1) @Max(200) int limit) {
        return tasks.pull(agentDevice(name), limit);
    }

    /**
     * What a GET of the task list would answer, less its body, and without leasing: Spring answers a HEAD
     * with the GET handler, and that one leases every task it lists to the caller for the lease's length.
     */
    @RequestMapping(path = "/tasks", method = RequestMethod.HEAD)
    @Operation(hidden = true)
    ResponseEntity<Void> tasksHead(
            @PathVariable String name, @RequestParam(defaultValue = "20") @Min(1) @Max(200) int limit) {
        device(name);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).build();
    }

    @PostMapping(path = "/measurements", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            operationId = "postMeasurement",
            summary = "Store an agent's timing for this device (needs an agent key bound to the device)")
    @ApiResponse(responseCode = "201", description = "Stored")
    ResponseEntity<MeasurementResponse> post(
            @PathVariable String name, @Valid @RequestBody MeasurementRequest request) {
        return ResponseEntity.status(HttpStatus.CREATED).body(measurements.record(agentDevice(name), request));
    }

    /**
     * A device whose latencies agents measure. One measured by the host, or by its roofline alone, has
     * no agents: an agent's timings would land in its tables (a key issued before this check still works).
     */
    private Device agentDevice(String name) {
        Device device = device(name);
        if (device.getMeasurement() != dev.tailor.catalogue.Measurement.AGENT) {
            throw Problems.conflict(
                    "device '" + name + "' is measured by "
                            + device.getMeasurement().wireName()
                            + ", not by agents; register a device with measurement agent for an agent to time",
                    "measurement");
        }
        return device;
    }

    private Device device(String name) {
        return devices.findByName(name).orElseThrow(() -> DeviceController.unknownDevice(name));
    }
}
