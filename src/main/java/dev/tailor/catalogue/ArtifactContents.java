package dev.tailor.catalogue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Artifact bytes for downloads, with the most recently served ONNX models kept in memory (at most
 * {@link #MAX_BYTES} in all): a model is addressed by its content and never changes, and reading a
 * few megabytes out of PostgreSQL for every download of the same file is most of a download's cost.
 * Checkpoints are read every time: they are rotated away, and a cached copy would outlive its row.
 */
@Component
public class ArtifactContents {

    static final long MAX_BYTES = 256L << 20;
    static final String CACHED_MEDIA_TYPE = "application/vnd.onnx";

    private final ArtifactRepository artifacts;
    private final Map<String, byte[]> recent = new LinkedHashMap<>(16, 0.75f, true);
    private long cachedBytes;

    public ArtifactContents(ArtifactRepository artifacts) {
        this.artifacts = artifacts;
    }

    /** The bytes of the artifact whose header says {@code mediaType}; empty when it is gone. */
    public Optional<byte[]> content(String sha256, String mediaType) {
        if (!CACHED_MEDIA_TYPE.equals(mediaType)) {
            return artifacts.findById(sha256).map(Artifact::getContent);
        }
        synchronized (recent) {
            byte[] known = recent.get(sha256);
            if (known != null) {
                return Optional.of(known);
            }
        }
        Optional<byte[]> read = artifacts.findById(sha256).map(Artifact::getContent);
        read.ifPresent(bytes -> remember(sha256, bytes));
        return read;
    }

    private void remember(String sha256, byte[] bytes) {
        if (bytes.length > MAX_BYTES / 4) {
            return;
        }
        synchronized (recent) {
            if (recent.put(sha256, bytes) == null) {
                cachedBytes += bytes.length;
            }
            var eldest = recent.entrySet().iterator();
            while (cachedBytes > MAX_BYTES && eldest.hasNext()) {
                cachedBytes -= eldest.next().getValue().length;
                eldest.remove();
            }
        }
    }
}
