package dev.tailor.catalogue;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.PreUpdate;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One trained weight-shared network: its search space, dataset and checkpoint. */
@Entity
public class Supernet {

    /** The longest name the catalogue stores (supernet.name is varchar(128)). */
    public static final int MAX_NAME_LENGTH = 128;

    @Id
    private UUID id;

    private String name;

    @JdbcTypeCode(SqlTypes.JSON)
    private String spaceSpec;

    private String dataset;

    private String datasetSha256;

    @Column(name = "checkpoint_sha256", length = 64)
    private String checkpointSha256;

    @Enumerated(EnumType.STRING)
    private SupernetState state;

    @Column(updatable = false)
    private OffsetDateTime createdAt = OffsetDateTime.now();

    private OffsetDateTime updatedAt;

    @Column(name = "num_classes")
    private Integer numClasses;

    protected Supernet() {}

    public Supernet(String name, String spaceSpecJson, String dataset) {
        this.id = UUID.randomUUID();
        this.name = name;
        this.spaceSpec = spaceSpecJson;
        this.dataset = dataset;
        this.state = SupernetState.TRAINING;
        this.updatedAt = OffsetDateTime.now();
    }

    @PreUpdate
    void touch() {
        updatedAt = OffsetDateTime.now();
    }

    public void markReady(String checkpointSha256) {
        this.checkpointSha256 = checkpointSha256;
        this.state = SupernetState.READY;
    }

    /** SHA-256 of the content of the dataset it was trained on; null for rows from before it was recorded. */
    public String getDatasetSha256() {
        return datasetSha256;
    }

    public void setDatasetSha256(String datasetSha256) {
        this.datasetSha256 = datasetSha256;
    }

    /** Classes of its dataset; null for rows from before it was recorded. */
    public Integer getNumClasses() {
        return numClasses;
    }

    public void setNumClasses(Integer numClasses) {
        this.numClasses = numClasses;
    }

    public void markFailed() {
        this.state = SupernetState.FAILED;
    }

    public UUID getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getSpaceSpec() {
        return spaceSpec;
    }

    public String getDataset() {
        return dataset;
    }

    public String getCheckpointSha256() {
        return checkpointSha256;
    }

    public SupernetState getState() {
        return state;
    }

    public OffsetDateTime getCreatedAt() {
        return createdAt;
    }

    public OffsetDateTime getUpdatedAt() {
        return updatedAt;
    }
}
