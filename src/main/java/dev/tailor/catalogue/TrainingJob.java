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

/** A supernet training run: what was asked for, how far it got, and where it can resume. */
@Entity
public class TrainingJob {

    @Id
    private UUID id;

    @Enumerated(EnumType.STRING)
    private JobState state;

    private String schedule;
    private String dataset;

    @JdbcTypeCode(SqlTypes.JSON)
    private String hyperParameters;

    @JdbcTypeCode(SqlTypes.JSON)
    private String progress;

    @Column(name = "last_checkpoint", length = 64)
    private String lastCheckpoint;

    private UUID supernetId;
    private String error;
    private Integer resumedFromEpoch;
    private int attempts;

    @Column(updatable = false)
    private OffsetDateTime createdAt = OffsetDateTime.now();

    private OffsetDateTime updatedAt;

    protected TrainingJob() {}

    public TrainingJob(String schedule, String dataset, String hyperParametersJson) {
        this.id = UUID.randomUUID();
        this.state = JobState.QUEUED;
        this.schedule = schedule;
        this.dataset = dataset;
        this.hyperParameters = hyperParametersJson;
        this.updatedAt = OffsetDateTime.now();
    }

    @PreUpdate
    void touch() {
        updatedAt = OffsetDateTime.now();
    }

    public UUID getId() {
        return id;
    }

    public JobState getState() {
        return state;
    }

    public void setState(JobState state) {
        this.state = state;
    }

    public String getSchedule() {
        return schedule;
    }

    public String getDataset() {
        return dataset;
    }

    public String getHyperParameters() {
        return hyperParameters;
    }

    public String getProgress() {
        return progress;
    }

    public void setProgress(String progressJson) {
        this.progress = progressJson;
    }

    public String getLastCheckpoint() {
        return lastCheckpoint;
    }

    public void setLastCheckpoint(String sha256) {
        this.lastCheckpoint = sha256;
    }

    public UUID getSupernetId() {
        return supernetId;
    }

    public void setSupernetId(UUID supernetId) {
        this.supernetId = supernetId;
    }

    public String getError() {
        return error;
    }

    public void setError(String error) {
        this.error = error;
    }

    public Integer getResumedFromEpoch() {
        return resumedFromEpoch;
    }

    public void setResumedFromEpoch(Integer epoch) {
        this.resumedFromEpoch = epoch;
    }

    public int getAttempts() {
        return attempts;
    }

    public void countAttempt() {
        attempts++;
    }

    public boolean isFinished() {
        return state == JobState.SUCCEEDED || state == JobState.FAILED || state == JobState.CANCELLED;
    }

    public OffsetDateTime getCreatedAt() {
        return createdAt;
    }

    public OffsetDateTime getUpdatedAt() {
        return updatedAt;
    }
}
