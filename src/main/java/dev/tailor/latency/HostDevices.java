package dev.tailor.latency;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.DeviceRepository;
import dev.tailor.catalogue.ExecutionProvider;
import dev.tailor.catalogue.Measurement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;

/**
 * The machine the service runs on, as devices: {@code host-cpu} always (the CPU model in its
 * description), {@code host-cuda} when ONNX Runtime's CUDA execution provider works here.
 */
@Component
public class HostDevices {

    public static final String HOST_CPU = "host-cpu";
    public static final String HOST_CUDA = "host-cuda";

    private static final Logger log = LoggerFactory.getLogger(HostDevices.class);

    private final DeviceRepository devices;

    HostDevices(DeviceRepository devices) {
        this.devices = devices;
    }

    /** Every process that opens the catalogue registers the host it runs on. */
    @EventListener(ApplicationReadyEvent.class)
    void registerThisHost() {
        try {
            Device cpu = cpu();
            log.info("This host is device {}: {}", cpu.getName(), cpu.getDescription());
            cuda().ifPresent(device -> log.info("This host is also device {}", device.getName()));
        } catch (DataAccessException | TransactionException e) {
            // first use registers it too; a one-shot verb whose database went away has said so already
            log.warn("This host is not registered as a device yet, the database cannot be reached: {}", e.getMessage());
        }
    }

    /** host-cpu, registered on first use. */
    public Device cpu() {
        return devices.findByName(HOST_CPU)
                .orElseGet(() -> register(new Device(
                        HOST_CPU, describeCpu(), "onnxruntime", ExecutionProvider.CPU, null, null, Measurement.HOST)));
    }

    /** host-cuda when the CUDA provider can open a session here; registered on first use. */
    public Optional<Device> cuda() {
        Optional<Device> known = devices.findByName(HOST_CUDA);
        if (known.isPresent() || !cudaWorks()) {
            return known;
        }
        return Optional.of(register(new Device(
                HOST_CUDA,
                "ONNX Runtime CUDA execution provider on this host",
                "onnxruntime",
                ExecutionProvider.CUDA,
                null,
                null,
                Measurement.HOST)));
    }

    private Device register(Device device) {
        try {
            return devices.saveAndFlush(device);
        } catch (DataIntegrityViolationException raced) {
            // another process registered it first
            return devices.findByName(device.getName()).orElseThrow(() -> raced);
        }
    }

    static boolean cudaWorks() {
        boolean works = LatencyMeter.cudaWorks();
        if (!works && OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            log.info("ONNX Runtime lists CUDA but cannot open a session with it here");
        }
        return works;
    }

    /** "AMD EPYC 7B13, 2 logical cores, onnxruntime 1.29.0" from /proc/cpuinfo where there is one. */
    static String describeCpu() {
        String model = System.getProperty("os.arch");
        try {
            Path cpuinfo = Path.of("/proc/cpuinfo");
            if (Files.isReadable(cpuinfo)) {
                model = Files.readAllLines(cpuinfo).stream()
                        .filter(line -> line.startsWith("model name"))
                        .map(line -> line.substring(line.indexOf(':') + 1).trim())
                        .findFirst()
                        .orElse(model);
            }
        } catch (IOException e) {
            // the architecture name will do
        }
        String description = model + ", " + Runtime.getRuntime().availableProcessors() + " logical cores, "
                + LatencyMeter.runtimeVersion();
        return description.length() > 512 ? description.substring(0, 512) : description;
    }
}
