package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.catalogue.JobState;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.db.DatabaseSwitch;
import dev.tailor.training.Checkpoint;
import dev.tailor.training.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The database goes away while a job runs (an external PostgreSQL restarted under a worker, seen in
 * a docker-compose run): the job is not marked failed, keeps what it stored, and the next attempt
 * finishes it. Before, a catalogue build failed for good on the first refused connection.
 */
@SpringBootTest(
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false",
            "tailor.worker.enabled=false",
            "tailor.catalogue.build-after-training=false",
            "spring.datasource.hikari.connection-timeout=1500",
            "tailor.test.context=job-database-outage"
        })
@DirtiesContext
class JobDatabaseOutageTest {

    @Autowired
    TrainingJobRunner trainingRunner;

    @Autowired
    TrainingJobRepository jobs;

    @Autowired
    CatalogueBuilds builds;

    @Autowired
    CatalogueBuildQueue queue;

    @Autowired
    CatalogueBuildRunner buildRunner;

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient jdbc;

    @Test
    void aCatalogueBuildWaitsOutTheDatabaseAndContinuesWhereItStopped() throws Exception {
        UUID supernet = TinySupernet.trained(trainingRunner, builds);
        CatalogueBuilds.Build build = queue.create(supernet, 10, 3L);
        long before = evaluated(supernet);
        int[] stored = {0};

        CatalogueBuildRunner.Outcome stopped;
        try {
            stopped = buildRunner.run(build.id(), null, new CatalogueBuildListener() {
                @Override
                public void onSubnet(Progress progress) {
                    if (++stored[0] == 3) {
                        refuse();
                    }
                }
            });
        } finally {
            DatabaseSwitch.allowConnections(dataSource);
        }

        assertThat(stopped.state()).as(stopped.error()).isEqualTo(JobState.RUNNING);
        assertThat(stopped.error()).isEqualTo(TrainingJobRunner.WAITING_FOR_DATABASE);
        CatalogueBuilds.Build after = builds.find(build.id()).orElseThrow();
        assertThat(after.state()).isEqualTo(JobState.RUNNING);
        assertThat(after.error()).isNull();
        assertThat(evaluated(supernet)).isEqualTo(before + 3);

        CatalogueBuildRunner.Outcome finished = buildRunner.run(build.id(), null, new CatalogueBuildListener() {});
        assertThat(finished.state()).as(finished.error()).isEqualTo(JobState.SUCCEEDED);
        assertThat(finished.done()).isEqualTo(10);
        // the plan's ten hold the largest and smallest, which training evaluated: ten rows, none twice
        assertThat(evaluated(supernet)).isEqualTo(10);
    }

    @Test
    void aTrainingJobWhoseCheckpointCannotBeStoredStaysResumable() throws Exception {
        Path dataset =
                IdxFixture.write(Files.createTempDirectory(Path.of("target").toAbsolutePath(), "outage"), 640, 100);
        TrainingJobSpec.Prepared prepared = TrainCommand.spec(TrainCommand.parse(new String[] {
                    "--dataset", dataset.toString(),
                    "--name", "outage",
                    "--schedule", "sandwich",
                    "--epochs", "2",
                    "--batch-size", "32",
                    "--max-steps-per-epoch", "4",
                    "--validation-size", "100",
                    "--calibration-images", "64",
                    "--lr", "0.05"
                }))
                .prepare(null);
        TrainingJob job = trainingRunner.create(prepared);

        TrainingJobRunner.Outcome stopped;
        try {
            // the first checkpoint is about to be stored when the database goes
            stopped = trainingRunner.run(job.getId(), prepared, new TrainingListener() {
                @Override
                public void onCheckpoint(int epoch, Checkpoint checkpoint, byte[] bytes) {
                    refuse();
                }
            });
        } finally {
            DatabaseSwitch.allowConnections(dataSource);
        }

        assertThat(stopped.state()).as(stopped.error()).isEqualTo(JobState.RUNNING);
        assertThat(stopped.error()).isEqualTo(TrainingJobRunner.WAITING_FOR_DATABASE);
        TrainingJob waiting = jobs.findById(job.getId()).orElseThrow();
        assertThat(waiting.getState()).isEqualTo(JobState.RUNNING);
        assertThat(waiting.getError()).isNull();

        TrainingJobRunner.Outcome finished = trainingRunner.run(job.getId(), prepared, new TrainingListener() {});
        assertThat(finished.state()).as(finished.error()).isEqualTo(JobState.SUCCEEDED);
        assertThat(jobs.findById(job.getId()).orElseThrow().getAttempts()).isEqualTo(2);
    }

    private void refuse() {
        try {
            DatabaseSwitch.refuseConnections(dataSource);
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    private long evaluated(UUID supernet) {
        return jdbc.sql("select count(*) from evaluation e join subnet s on s.id = e.subnet_id"
                        + " where s.supernet_id = ? and e.split = 'VALIDATION'")
                .param(supernet)
                .query(Long.class)
                .single();
    }
}
