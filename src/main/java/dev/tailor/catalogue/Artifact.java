package dev.tailor.catalogue;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.HexFormat;

/**
 * Bytes addressed by their SHA-256: checkpoints and ONNX models. They live in PostgreSQL so that
 * no replica keeps state of its own.
 */
@Entity
public class Artifact {

    @Id
    @Column(name = "sha256", length = 64)
    private String sha256;

    private String mediaType;
    private long sizeBytes;
    private byte[] content;

    @Column(updatable = false)
    private OffsetDateTime createdAt = OffsetDateTime.now();

    protected Artifact() {}

    private Artifact(String sha256, String mediaType, byte[] content) {
        this.sha256 = sha256;
        this.mediaType = mediaType;
        this.sizeBytes = content.length;
        this.content = content;
    }

    public static Artifact of(byte[] content, String mediaType) {
        return new Artifact(sha256(content), mediaType, content.clone());
    }

    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public String getSha256() {
        return sha256;
    }

    public String getMediaType() {
        return mediaType;
    }

    public long getSizeBytes() {
        return sizeBytes;
    }

    public byte[] getContent() {
        return content;
    }

    public OffsetDateTime getCreatedAt() {
        return createdAt;
    }
}
