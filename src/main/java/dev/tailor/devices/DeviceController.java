package dev.tailor.devices;

import dev.tailor.api.Problems;
import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.DeviceRepository;
import dev.tailor.catalogue.ExecutionProvider;
import dev.tailor.catalogue.Measurement;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.data.domain.Sort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/api/v1/devices", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "devices", description = "Deployment targets and how their latencies are obtained")
@ConditionalOnProperty(name = "tailor.api.enabled", havingValue = "true", matchIfMissing = true)
class DeviceController {

    /**
     * Anchored: Bean Validation matches the whole value either way, but a JSON Schema {@code pattern}
     * is a search, so an unanchored one in the spec would accept "Has Spaces" where the server refuses it.
     */
    static final String NAME_PATTERN = "^[a-z0-9][a-z0-9._-]{0,63}$";

    static final String NAME_RULE = "lower-case letters, digits, '.', '_' or '-', starting with a letter or digit,"
            + " at most 64 characters (e.g. jetson-nano)";

    private final DeviceRepository devices;
    private final dev.tailor.latency.DeviceLatencies latencies;

    /** The one runtime tasks are timed with. */
    static final String ONNX_RUNTIME = "onnxruntime";

    DeviceController(DeviceRepository devices, dev.tailor.latency.DeviceLatencies latencies) {
        this.devices = devices;
        this.latencies = latencies;
    }

    @Schema(description = "A deployment target to register.")
    record DeviceRequest(
            @Schema(example = "jetson-nano") @NotBlank @Pattern(regexp = NAME_PATTERN, message = "must be " + NAME_RULE)
            String name,

            @Schema(example = "NVIDIA Jetson Nano 4GB, 128-core Maxwell GPU") @Size(max = 512)
            String description,

            @Schema(
                    description = "Inference runtime: onnxruntime, the one measured (the default)",
                    example = "onnxruntime")
            @Pattern(regexp = NAME_PATTERN, message = "must be a runtime name such as onnxruntime")
            String runtime,

            @Schema(description = "Execution provider; default cpu")
            ExecutionProvider executionProvider,

            @Schema(
                    description = "Published peak compute, GFLOP/s (for roofline estimates; with memoryGbps)",
                    example = "472")
            @Positive
            @DecimalMax(value = "10000000", message = "must be at most 10000000 GFLOP/s")
            Double peakGflops,

            @Schema(
                    description = "Published memory bandwidth, GB/s (for roofline estimates; with peakGflops)",
                    example = "25.6")
            @Positive
            @DecimalMax(value = "100000", message = "must be at most 100000 GB/s")
            Double memoryGbps,

            @Schema(description = "How latencies are obtained; default agent")
            Measurement measurement) {}

    @Schema(description = "A registered deployment target.")
    record DeviceResponse(
            String name,
            String description,
            String runtime,
            ExecutionProvider executionProvider,
            Double peakGflops,
            Double memoryGbps,
            Measurement measurement,
            OffsetDateTime createdAt) {

        static DeviceResponse of(Device device) {
            return new DeviceResponse(
                    device.getName(),
                    device.getDescription(),
                    device.getRuntime(),
                    device.getExecutionProvider(),
                    device.getPeakGflops(),
                    device.getMemoryGbps(),
                    device.getMeasurement(),
                    device.getCreatedAt());
        }
    }

    @GetMapping
    @Operation(operationId = "listDevices", summary = "List devices, by name")
    List<DeviceResponse> list() {
        return devices.findAll(Sort.by("name")).stream().map(DeviceResponse::of).toList();
    }

    @GetMapping("/{name}")
    @Operation(operationId = "getDevice", summary = "One device")
    DeviceResponse get(@PathVariable String name) {
        return devices.findByName(name).map(DeviceResponse::of).orElseThrow(() -> unknownDevice(name));
    }

    @PostMapping
    @Operation(operationId = "createDevice", summary = "Register a device")
    @ApiResponse(responseCode = "201", description = "Registered; Location names the device")
    @Transactional
    ResponseEntity<DeviceResponse> create(@Valid @RequestBody DeviceRequest request) {
        if (devices.existsByName(request.name())) {
            throw Problems.conflict("a device named '" + request.name() + "' exists already", "name");
        }
        if (request.runtime() != null && !ONNX_RUNTIME.equals(request.runtime())) {
            // stored and never read: its agents were handed ONNX Runtime tasks whatever the device runs
            throw Problems.badField(
                    "runtime",
                    "only " + ONNX_RUNTIME + " is measured here (tasks are ONNX models timed by ONNX Runtime);"
                            + " leave it out or give " + ONNX_RUNTIME);
        }
        if ((request.peakGflops() == null) != (request.memoryGbps() == null)) {
            // a roofline needs both: with one the device was registered and never had a latency
            String missing = request.peakGflops() == null ? "peakGflops" : "memoryGbps";
            throw Problems.badField(
                    missing, "give peakGflops and memoryGbps together (a roofline estimate needs both), or neither");
        }
        Device device = devices.saveAndFlush(new Device(
                request.name(),
                request.description(),
                Objects.requireNonNullElse(request.runtime(), ONNX_RUNTIME),
                Objects.requireNonNullElse(request.executionProvider(), ExecutionProvider.CPU),
                request.peakGflops(),
                request.memoryGbps(),
                Objects.requireNonNullElse(request.measurement(), Measurement.AGENT)));
        // roofline estimates for the catalogue right away, when peak and bandwidth are given
        latencies.refresh(device);
        return ResponseEntity.created(URI.create("/api/v1/devices/" + device.getName()))
                .body(DeviceResponse.of(device));
    }

    static org.springframework.web.ErrorResponseException unknownDevice(String name) {
        return Problems.notFound("Device", "no device named '" + name + "'; GET /api/v1/devices lists them");
    }
}
