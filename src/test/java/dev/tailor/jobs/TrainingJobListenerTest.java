package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.tailor.catalogue.Artifact;
import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.training.TrainingListener;
import dev.tailor.training.TrainingProgress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

class TrainingJobListenerTest {

    @Test
    void progressWrittenInTheMiddleOfAnEpochStillSaysHowManyEpochsAreDone() {
        UUID id = UUID.randomUUID();
        TrainingJob job = new TrainingJob("deps", "fashion-mnist (/data)", "{}");
        TrainingJobRepository jobs = mock(TrainingJobRepository.class);
        when(jobs.findById(id)).thenReturn(Optional.of(job));
        TrainingJobListener listener = new TrainingJobListener(
                id,
                new TrainingListener() {},
                jobs,
                mock(ArtifactRepository.class),
                new TransactionTemplate(mock(PlatformTransactionManager.class)),
                mock(DataSource.class),
                mock(ApplicationEventPublisher.class),
                () -> false,
                () -> true);

        // epoch 3 counted from 0: three epochs are done, the fourth is under way
        listener.onProgress(
                new TrainingProgress(3, 10, 40, 100, 340, 1000, "shrinking", 0.9, 0.05, 1.0, 120.0, 600.0, "cpu"));

        var progress = JsonMapper.builder().build().readTree(job.getProgress());
        assertThat(progress.path("epochsCompleted").isIntegralNumber())
                .as(job.getProgress())
                .isTrue();
        assertThat(progress.path("epochsCompleted").asInt()).isEqualTo(3);
    }

    @Test
    void aStopPartWayThroughAnEpochKeepsItsStepsOnlyWhereTheJobMayStillBeWritten() {
        UUID id = UUID.randomUUID();
        TrainingJob job = new TrainingJob("deps", "fashion-mnist (/data)", "{}");
        TrainingJobRepository jobs = mock(TrainingJobRepository.class);
        when(jobs.findById(id)).thenReturn(Optional.of(job));
        AtomicBoolean mayKeep = new AtomicBoolean(false);
        TrainingJobListener listener = new TrainingJobListener(
                id,
                new TrainingListener() {},
                jobs,
                mock(ArtifactRepository.class),
                new TransactionTemplate(mock(PlatformTransactionManager.class)),
                mock(DataSource.class),
                mock(ApplicationEventPublisher.class),
                () -> true,
                mayKeep::get);
        listener.onProgress(
                new TrainingProgress(3, 10, 40, 100, 340, 1000, "shrinking", 0.9, 0.05, 1.0, 120.0, 600.0, "cpu"));
        byte[] bytes = "the checkpoint of 40 steps".getBytes(StandardCharsets.UTF_8);

        // cancelled, or the job's lock gone (another process may be training it): nothing is made or written
        listener.onStoppedPartWay(3, 40, null, () -> {
            throw new AssertionError("a checkpoint made for a job that may not be written");
        });
        assertThat(job.getLastCheckpoint()).isNull();

        mayKeep.set(true);
        listener.onStoppedPartWay(3, 40, null, () -> bytes);
        assertThat(job.getLastCheckpoint()).isEqualTo(Artifact.sha256(bytes));
        var progress = JsonMapper.builder().build().readTree(job.getProgress());
        assertThat(progress.path("epochsCompleted").asInt()).isEqualTo(3);
        assertThat(progress.path("step").asInt()).isEqualTo(40);
    }
}
