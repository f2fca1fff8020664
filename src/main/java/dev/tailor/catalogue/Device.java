package dev.tailor.catalogue;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.OffsetDateTime;

/**
 * A deployment target. Peak compute and memory bandwidth are the published figures a roofline
 * estimate needs when the device has no measurements.
 */
@Entity
public class Device {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    private String name;
    private String description;
    private String runtime;

    @Enumerated(EnumType.STRING)
    private ExecutionProvider executionProvider;

    private Double peakGflops;
    private Double memoryGbps;

    @Enumerated(EnumType.STRING)
    private Measurement measurement;

    @Column(updatable = false)
    private OffsetDateTime createdAt = OffsetDateTime.now();

    /** Written by the database only (DeviceLatencies bumps it): a stale entity saved must not undo it. */
    @Column(name = "latency_revision", insertable = false, updatable = false)
    private long latencyRevision;

    protected Device() {}

    public Device(
            String name,
            String description,
            String runtime,
            ExecutionProvider executionProvider,
            Double peakGflops,
            Double memoryGbps,
            Measurement measurement) {
        this.name = name;
        this.description = description;
        this.runtime = runtime;
        this.executionProvider = executionProvider;
        this.peakGflops = peakGflops;
        this.memoryGbps = memoryGbps;
        this.measurement = measurement;
    }

    public Long getId() {
        return id;
    }

    /** How many times its latencies were refreshed: a stored answer found before is not served after. */
    public long getLatencyRevision() {
        return latencyRevision;
    }

    public String getName() {
        return name;
    }

    public String getDescription() {
        return description;
    }

    public String getRuntime() {
        return runtime;
    }

    public ExecutionProvider getExecutionProvider() {
        return executionProvider;
    }

    public Double getPeakGflops() {
        return peakGflops;
    }

    public Double getMemoryGbps() {
        return memoryGbps;
    }

    public Measurement getMeasurement() {
        return measurement;
    }

    public OffsetDateTime getCreatedAt() {
        return createdAt;
    }
}
