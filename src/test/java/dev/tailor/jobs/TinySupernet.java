package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.catalogue.JobState;
import dev.tailor.training.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A supernet trained for a few steps on a small generated IDX dataset, once per test context
 * (the runner identifies the context), with the catalogue build its training queued finished.
 */
public final class TinySupernet {

    private static final Map<Object, UUID> TRAINED = new IdentityHashMap<>();

    private TinySupernet() {}

    public static synchronized UUID trained(TrainingJobRunner runner, CatalogueBuilds builds) throws IOException {
        UUID existing = TRAINED.get(runner);
        if (existing != null) {
            return existing;
        }
        Path dataset = IdxFixture.write(
                Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tiny-supernet"), 640, 200);
        TrainingJobSpec.Prepared prepared = TrainCommand.spec(TrainCommand.parse(new String[] {
                    "--dataset", dataset.toString(),
                    "--name", "tiny",
                    "--schedule", "sandwich",
                    "--epochs", "1",
                    "--batch-size", "32",
                    "--max-steps-per-epoch", "6",
                    "--validation-size", "100",
                    "--calibration-images", "64",
                    "--lr", "0.05"
                }))
                .prepare(null);
        var job = runner.create(prepared);
        TrainingJobRunner.Outcome outcome = runner.run(job.getId(), prepared, new TrainingListener() {});
        assertThat(outcome.state()).as(outcome.error()).isEqualTo(JobState.SUCCEEDED);
        awaitBuilds(builds, outcome.supernetId());
        TRAINED.put(runner, outcome.supernetId());
        return outcome.supernetId();
    }

    /** Waits until no build of the supernet is queued or running (the worker runs queued ones). */
    public static void awaitBuilds(CatalogueBuilds builds, UUID supernetId) {
        builds.unfinished(supernetId).ifPresent(build -> awaitBuild(builds, build.id()));
    }

    /** Waits until the build has finished. */
    public static void awaitBuild(CatalogueBuilds builds, UUID buildId) {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!builds.find(buildId).orElseThrow().finished()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("catalogue build " + buildId + " did not finish in 3 minutes");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
