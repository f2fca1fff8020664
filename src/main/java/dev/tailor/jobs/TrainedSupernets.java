package dev.tailor.jobs;

import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.catalogue.Supernet;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.catalogue.SupernetState;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.data.DatasetFingerprint;
import dev.tailor.space.SearchSpace;
import dev.tailor.training.Trainer;
import dev.tailor.training.TrainingData;
import java.util.Locale;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Brings a trained supernet back to life for measuring its subnets: its checkpoint restored on the
 * dataset, split and calibration sample of the run that trained it.
 */
@Component
public class TrainedSupernets {

    private final SupernetRepository supernets;
    private final TrainingJobRepository jobs;
    private final ArtifactRepository artifacts;

    TrainedSupernets(SupernetRepository supernets, TrainingJobRepository jobs, ArtifactRepository artifacts) {
        this.supernets = supernets;
        this.jobs = jobs;
        this.artifacts = artifacts;
    }

    /** The supernet cannot be used as asked; the message says why. */
    public static class UnusableSupernetException extends RuntimeException {
        public UnusableSupernetException(String message) {
            super(message);
        }
    }

    /**
     * The supernet is fine but this process cannot read the data it was trained on (not mounted here,
     * or other data in its place): another worker, or this one once the data is back, can use it.
     */
    public static final class DatasetUnavailableException extends UnusableSupernetException {
        DatasetUnavailableException(String message) {
            super(message);
        }
    }

    /** A restored supernet; closing it releases the trainer's native memory. */
    public record Restored(Supernet supernet, SearchSpace space, TrainingData data, Trainer trainer)
            implements AutoCloseable {
        @Override
        public void close() {
            trainer.close();
        }
    }

    /** The supernet, which must be READY; a refusal names what is missing. */
    public Supernet ready(UUID supernetId) {
        Supernet supernet = supernets
                .findById(supernetId)
                .orElseThrow(() -> new UnusableSupernetException("no supernet " + supernetId));
        if (supernet.getState() != SupernetState.READY || supernet.getCheckpointSha256() == null) {
            throw new UnusableSupernetException("supernet " + supernetId + " is "
                    + supernet.getState().toString().toLowerCase(Locale.ROOT)
                    + "; only a ready (trained) supernet has subnets to measure");
        }
        return supernet;
    }

    public Restored restore(UUID supernetId, String datasetEnvironment) {
        Supernet supernet = ready(supernetId);
        TrainingJob job = jobs.findFirstBySupernetIdOrderByCreatedAtDesc(supernetId)
                .orElseThrow(() -> new UnusableSupernetException(
                        "supernet " + supernetId + " has no training job to name its dataset"));
        TrainingJobSpec.Prepared prepared;
        try {
            prepared = TrainingJobRunner.spec(job).prepare(datasetEnvironment);
        } catch (TrainingJobSpec.InvalidSpecException e) {
            throw new DatasetUnavailableException("the supernet's training dataset cannot be read: " + e.getMessage());
        }
        if (supernet.getDatasetSha256() != null) {
            String found = DatasetFingerprint.of(prepared.data());
            if (!found.equals(supernet.getDatasetSha256())) {
                throw new DatasetUnavailableException(DatasetFingerprint.mismatch(
                        supernetId.toString(),
                        supernet.getDatasetSha256(),
                        found,
                        prepared.datasetDirectory().toString()));
            }
        }
        byte[] checkpoint = artifacts
                .findById(supernet.getCheckpointSha256())
                .orElseThrow(() -> new UnusableSupernetException("the supernet's checkpoint artifact is missing"))
                .getContent();
        TrainingData data = TrainingData.prepare(
                prepared.datasetName(),
                prepared.data(),
                prepared.options().validationSize(),
                prepared.options().seed());
        try {
            // the space is read first: a trainer restored before a failure here would keep its weights and
            // optimizer state in native memory for good
            SearchSpace space = SearchSpace.fromJson(supernet.getSpaceSpec());
            return new Restored(supernet, space, data, Trainer.restore(checkpoint, data));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UnusableSupernetException("the supernet's checkpoint cannot be used: " + e.getMessage());
        }
    }
}
