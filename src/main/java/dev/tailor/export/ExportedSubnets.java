package dev.tailor.export;

import dev.tailor.catalogue.Artifact;
import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.LatencyMeasurement;
import dev.tailor.catalogue.LatencyMeasurementRepository;
import dev.tailor.catalogue.Split;
import dev.tailor.catalogue.Subnet;
import dev.tailor.catalogue.SubnetRegistry;
import dev.tailor.catalogue.SubnetRepository;
import dev.tailor.cost.SubnetCosts;
import dev.tailor.latency.DeviceLatencies;
import dev.tailor.latency.HostDevices;
import dev.tailor.latency.LatencyStats;
import dev.tailor.onnx.OnnxExport;
import dev.tailor.space.SubnetConfig;
import dev.tailor.training.SubnetAccuracy;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores a checked export in one transaction: the file as an artifact, the subnet's catalogue row with
 * its measured accuracy and costs (through the one {@link SubnetRegistry} upsert), a link to the file, and
 * the file's latency measured on this host. Then every device gets a latency for it, since a searched pick
 * is often new to the catalogue.
 */
@Component
class ExportedSubnets {

    private final ArtifactRepository artifacts;
    private final SubnetRegistry registry;
    private final SubnetRepository subnets;
    private final LatencyMeasurementRepository latencies;
    private final HostDevices hostDevices;
    private final DeviceLatencies deviceLatencies;
    private final TransactionTemplate transactions;

    ExportedSubnets(
            ArtifactRepository artifacts,
            SubnetRegistry registry,
            SubnetRepository subnets,
            LatencyMeasurementRepository latencies,
            HostDevices hostDevices,
            DeviceLatencies deviceLatencies,
            TransactionTemplate transactions) {
        this.artifacts = artifacts;
        this.registry = registry;
        this.subnets = subnets;
        this.latencies = latencies;
        this.hostDevices = hostDevices;
        this.deviceLatencies = deviceLatencies;
        this.transactions = transactions;
    }

    Subnet store(
            UUID supernetId,
            SubnetConfig config,
            byte[] bytes,
            SubnetAccuracy accuracy,
            SubnetCosts counted,
            LatencyStats hostLatency) {
        Device host = hostDevices.cpu();
        Artifact artifact = Artifact.of(bytes, OnnxExport.MEDIA_TYPE);
        Subnet stored = transactions.execute(status -> {
            artifacts.storeIfAbsent(artifact);
            Subnet subnet = registry.register(
                    supernetId,
                    config,
                    counted,
                    new SubnetRegistry.Measured(
                            Split.VALIDATION, accuracy.validationTop1(), accuracy.validationImages()),
                    new SubnetRegistry.Measured(Split.TEST, accuracy.testTop1(), accuracy.testImages()));
            subnet.setOnnxSha256(artifact.getSha256());
            subnets.save(subnet);
            latencies.save(LatencyMeasurement.ofSubnet(
                    host, subnet, hostLatency.batchSize(), hostLatency.resolution(), hostLatency.timing()));
            return subnet;
        });
        deviceLatencies.refreshSubnets(Set.of(stored.getId()));
        return stored;
    }

    /** A later timing of an exported subnet's file on this host, stored beside the earlier ones. */
    void storeHostTiming(long subnetId, LatencyStats hostLatency) {
        Subnet subnet =
                subnets.findById(subnetId).orElseThrow(() -> new IllegalArgumentException("no subnet " + subnetId));
        latencies.save(LatencyMeasurement.ofSubnet(
                hostDevices.cpu(), subnet, hostLatency.batchSize(), hostLatency.resolution(), hostLatency.timing()));
        deviceLatencies.refreshSubnets(Set.of(subnetId));
    }
}
