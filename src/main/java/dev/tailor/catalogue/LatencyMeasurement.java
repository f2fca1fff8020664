package dev.tailor.catalogue;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import java.time.OffsetDateTime;

/**
 * One latency figure on one device: of a whole subnet or of one layer (OFA-style layer key),
 * with the conditions it was taken under and where it came from.
 */
@Entity
public class LatencyMeasurement {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "device_id")
    private Device device;

    @ManyToOne(fetch = FetchType.LAZY)
    @JoinColumn(name = "subnet_id")
    private Subnet subnet;

    private String layerKey;
    private int batchSize;
    private int resolution;

    @Column(name = "p50_ms")
    private double p50Ms;

    @Column(name = "p90_ms")
    private Double p90Ms;

    private Double meanMs;
    private Double stdMs;
    private Integer runs;
    private Integer threads;
    private String runtimeVersion;

    @Enumerated(EnumType.STRING)
    private LatencySource source;

    private OffsetDateTime measuredAt;

    protected LatencyMeasurement() {}

    private LatencyMeasurement(
            Device device, Subnet subnet, String layerKey, int batchSize, int resolution, Timing timing) {
        this.device = device;
        this.subnet = subnet;
        this.layerKey = layerKey;
        this.batchSize = batchSize;
        this.resolution = resolution;
        this.p50Ms = timing.p50Ms();
        this.p90Ms = timing.p90Ms();
        this.meanMs = timing.meanMs();
        this.stdMs = timing.stdMs();
        this.runs = timing.runs();
        this.threads = timing.threads();
        this.runtimeVersion = timing.runtimeVersion();
        this.source = timing.source();
        this.measuredAt = OffsetDateTime.now();
    }

    public static LatencyMeasurement ofSubnet(
            Device device, Subnet subnet, int batchSize, int resolution, Timing timing) {
        return new LatencyMeasurement(device, subnet, null, batchSize, resolution, timing);
    }

    public static LatencyMeasurement ofLayer(
            Device device, String layerKey, int batchSize, int resolution, Timing timing) {
        return new LatencyMeasurement(device, null, layerKey, batchSize, resolution, timing);
    }

    /** The figures of one timing run; only p50 is required (a prediction has nothing else). */
    public record Timing(
            double p50Ms,
            Double p90Ms,
            Double meanMs,
            Double stdMs,
            Integer runs,
            Integer threads,
            String runtimeVersion,
            LatencySource source) {}

    public Long getId() {
        return id;
    }

    public Device getDevice() {
        return device;
    }

    public Subnet getSubnet() {
        return subnet;
    }

    public String getLayerKey() {
        return layerKey;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public int getResolution() {
        return resolution;
    }

    public double getP50Ms() {
        return p50Ms;
    }

    public Double getP90Ms() {
        return p90Ms;
    }

    public Double getMeanMs() {
        return meanMs;
    }

    public Double getStdMs() {
        return stdMs;
    }

    public Integer getRuns() {
        return runs;
    }

    public Integer getThreads() {
        return threads;
    }

    public String getRuntimeVersion() {
        return runtimeVersion;
    }

    public LatencySource getSource() {
        return source;
    }

    public OffsetDateTime getMeasuredAt() {
        return measuredAt;
    }
}
