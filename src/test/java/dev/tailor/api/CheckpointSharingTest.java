package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.catalogue.Artifact;
import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.training.Checkpoint;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Checkpoints are addressed by content, so two identical runs write the same one: the run that
 * moves on to its next checkpoint must not delete the one the other still holds.
 */
class CheckpointSharingTest extends ApiTestSupport {

    @Autowired
    ArtifactRepository artifacts;

    @Autowired
    TrainingJobRepository jobs;

    @Autowired
    TransactionTemplate transactions;

    @Test
    void aCheckpointAnotherJobStillHoldsIsKeptAndGoesWhenNobodyDoes() {
        byte[] bytes = new byte[64];
        new Random(42).nextBytes(bytes);
        Artifact shared = artifacts.save(Artifact.of(bytes, Checkpoint.MEDIA_TYPE));
        String sha = shared.getSha256();
        TrainingJob holder = new TrainingJob("deps", "generated", "{}");
        holder.setLastCheckpoint(sha);
        holder = jobs.saveAndFlush(holder);

        Integer deleted = transactions.execute(status -> artifacts.deleteUnreferenced(sha));

        assertThat(deleted).isZero();
        assertThat(artifacts.existsById(sha)).isTrue();

        holder.setLastCheckpoint(null);
        jobs.saveAndFlush(holder);
        Integer deletedLater = transactions.execute(status -> artifacts.deleteUnreferenced(sha));
        assertThat(deletedLater).isOne();
        assertThat(artifacts.existsById(sha)).isFalse();
    }
}
