package dev.tailor.catalogue;

import org.springframework.data.jpa.repository.JpaRepository;

public interface ArtifactRepository extends JpaRepository<Artifact, String> {
    /** Metadata only, so that a conditional GET answers 304 without loading the bytes. */
    @org.springframework.data.jpa.repository.Query(
            "select a.sha256 as sha256, a.mediaType as mediaType, a.sizeBytes as sizeBytes from Artifact a where a.sha256 = :sha256")
    java.util.Optional<ArtifactHeader> findHeader(String sha256);

    interface ArtifactHeader {
        String getSha256();

        String getMediaType();

        long getSizeBytes();
    }
}
