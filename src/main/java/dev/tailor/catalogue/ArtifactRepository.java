package dev.tailor.catalogue;

import org.springframework.data.jpa.repository.JpaRepository;

public interface ArtifactRepository extends JpaRepository<Artifact, String> {
    /** Metadata only, so that a conditional GET answers 304 without loading the bytes. */
    @org.springframework.data.jpa.repository.Query(
            "select a.sha256 as sha256, a.mediaType as mediaType, a.sizeBytes as sizeBytes from Artifact a where a.sha256 = :sha256")
    java.util.Optional<ArtifactHeader> findHeader(String sha256);

    /**
     * Deletes the artifact unless a row still refers to it: a job's last checkpoint, a supernet's
     * checkpoint, a subnet's ONNX file, a predictor or a specialization. Artifacts are addressed by
     * content, so two identical runs write the same checkpoint; the one that moves on must not
     * delete what the other still holds. A reference written by a transaction still open makes the
     * delete fail on its foreign key instead: callers treat that as "still referred to".
     */
    @org.springframework.data.jpa.repository.Modifying
    @org.springframework.data.jpa.repository.Query(nativeQuery = true, value = """
                    delete from artifact a where a.sha256 = :sha256
                      and not exists (select 1 from training_job j where j.last_checkpoint = a.sha256)
                      and not exists (select 1 from supernet s where s.checkpoint_sha256 = a.sha256)
                      and not exists (select 1 from subnet n where n.onnx_sha256 = a.sha256)
                      and not exists (select 1 from accuracy_predictor p where p.artifact_sha256 = a.sha256)
                      and not exists (select 1 from specialization z where z.onnx_sha256 = a.sha256)""")
    int deleteUnreferenced(String sha256);

    /**
     * Stores the artifact unless one with its hash is there (then it is the same bytes). Two requests or
     * jobs storing the same content at once both succeed; an exists-then-save let the slower one fail on
     * the primary key. Needs a transaction, as every caller has.
     */
    default void storeIfAbsent(Artifact artifact) {
        insertIfAbsent(artifact.getSha256(), artifact.getMediaType(), artifact.getSizeBytes(), artifact.getContent());
    }

    @org.springframework.data.jpa.repository.Modifying
    @org.springframework.data.jpa.repository.Query(nativeQuery = true, value = """
                    insert into artifact (sha256, media_type, size_bytes, content)
                    values (:sha256, :mediaType, :sizeBytes, :content)
                    on conflict (sha256) do nothing""")
    int insertIfAbsent(String sha256, String mediaType, long sizeBytes, byte[] content);

    interface ArtifactHeader {
        String getSha256();

        String getMediaType();

        long getSizeBytes();
    }
}
