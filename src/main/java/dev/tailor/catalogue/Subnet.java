package dev.tailor.catalogue;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import java.time.OffsetDateTime;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A subnet of a supernet, identified by the SHA-256 of its canonical config JSON. */
@Entity
public class Subnet {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "supernet_id")
    private Supernet supernet;

    @JdbcTypeCode(SqlTypes.JSON)
    private String config;

    @Column(name = "config_sha256", length = 64)
    private String configSha256;

    @Column(updatable = false)
    private OffsetDateTime createdAt = OffsetDateTime.now();

    @Column(name = "onnx_sha256", length = 64)
    private String onnxSha256;

    protected Subnet() {}

    /** @param canonicalConfigJson the config in canonical form: its bytes are what the hash names */
    public Subnet(Supernet supernet, String canonicalConfigJson) {
        this.supernet = supernet;
        this.config = canonicalConfigJson;
        this.configSha256 = Artifact.sha256(canonicalConfigJson.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The newest exported ONNX model's artifact; null until the subnet is exported. */
    public String getOnnxSha256() {
        return onnxSha256;
    }

    public void setOnnxSha256(String onnxSha256) {
        this.onnxSha256 = onnxSha256;
    }

    public Long getId() {
        return id;
    }

    public Supernet getSupernet() {
        return supernet;
    }

    public String getConfig() {
        return config;
    }

    public String getConfigSha256() {
        return configSha256;
    }

    public OffsetDateTime getCreatedAt() {
        return createdAt;
    }
}
