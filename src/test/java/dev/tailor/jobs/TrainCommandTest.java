package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailor.catalogue.EvaluationRepository;
import dev.tailor.catalogue.JobState;
import dev.tailor.catalogue.SubnetCostRepository;
import dev.tailor.catalogue.SubnetRepository;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.catalogue.SupernetState;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.training.Checkpoint;
import dev.tailor.training.TrainingDevice;
import dev.tailor.training.TrainingListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The train verb against the real catalogue, on a small generated IDX dataset. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false"
        })
class TrainCommandTest {

    @TempDir
    static Path datasets;

    static Path dataset;

    @Autowired
    TrainingJobRunner runner;

    @Autowired
    TrainingJobRepository jobs;

    @Autowired
    SupernetRepository supernets;

    @Autowired
    SubnetRepository subnets;

    @Autowired
    EvaluationRepository evaluations;

    @Autowired
    SubnetCostRepository costs;

    @BeforeAll
    static void writeDataset() throws IOException {
        dataset = IdxFixture.write(datasets.resolve("generated"), 640, 100);
    }

    /** Runs the verb with its output captured. */
    private record Run(int exitCode, String out, String err) {}

    private Run train(String... args) {
        return trainWithSetting("cpu", args);
    }

    /** The verb with {@code tailor.training.device} (TAILOR_TRAINING_DEVICE) set to {@code device}. */
    private Run trainWithSetting(String device, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        TrainCommand command = new TrainCommand(
                runner,
                jobs,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                // libtorch's CPU build, as the jar carries it: no CUDA, no GPU
                () -> new TrainingDevice.GpuProbe(false, 0, null),
                device);
        int code = command.execute(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String[] tiny(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--dataset",
                dataset.toString(),
                "--epochs",
                "2",
                "--batch-size",
                "32",
                "--max-steps-per-epoch",
                "4",
                "--validation-size",
                "100",
                "--calibration-images",
                "64",
                "--lr",
                "0.05"));
        // a flag in extra replaces the fixture's value (a flag given twice is a mistake of its own)
        for (String given : extra) {
            int at = args.indexOf(given);
            if (given.startsWith("--") && at >= 0) {
                args.subList(at, at + 2).clear();
            }
        }
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    static Stream<Arguments> badInvocations() throws IOException {
        Path corrupt = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "corrupt-idx");
        IdxFixture.write(corrupt, 50, 10);
        Files.write(corrupt.resolve("train-images-idx3-ubyte.gz"), new byte[] {1, 2, 3});
        Path missing = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "missing-idx");
        IdxFixture.write(missing, 50, 10);
        Files.delete(missing.resolve("t10k-labels-idx1-ubyte.gz"));
        return Stream.of(
                Arguments.of(new String[] {"--schedule", "warp-speed"}, "--schedule"),
                Arguments.of(new String[] {"--format", "tfrecord"}, "--format"),
                Arguments.of(new String[] {"--epochs", "0"}, "--epochs"),
                Arguments.of(new String[] {"--epochs", "many"}, "--epochs"),
                Arguments.of(new String[] {"--batch-size", "1000000"}, "--batch-size"),
                Arguments.of(new String[] {"--lr", "-1"}, "--lr"),
                Arguments.of(new String[] {"--lr", "500"}, "--lr"),
                Arguments.of(new String[] {"--weight-decay", "-1e-4"}, "--weight-decay"),
                Arguments.of(new String[] {"--weight-decay", "0.5"}, "--weight-decay"),
                Arguments.of(new String[] {"--random-erase", "-0.1"}, "--random-erase"),
                Arguments.of(new String[] {"--random-erase", "1.5"}, "--random-erase"),
                Arguments.of(new String[] {"--validation-size", "100000"}, "--validation-size"),
                Arguments.of(new String[] {"--warmup-fraction", "1.5"}, "--warmup-fraction"),
                Arguments.of(new String[] {"--target-accuracy", "90"}, "--target-accuracy"),
                Arguments.of(new String[] {"--patience", "0"}, "--patience"),
                Arguments.of(new String[] {"--schedule", "depth-expansion", "--epochs", "1"}, "--epochs"),
                Arguments.of(new String[] {"--colour", "blue"}, "--colour"),
                Arguments.of(new String[] {"--epochs"}, "--epochs"),
                Arguments.of(new String[] {"--epochs", "--lr", "0.1"}, "--epochs needs a value"),
                Arguments.of(new String[] {"--seed=7", "--seed", "8"}, "--seed is given twice"),
                Arguments.of(new String[] {"--dataset", "/no/such/directory"}, "--dataset"),
                Arguments.of(new String[] {"--dataset", corrupt.toString()}, "--dataset"),
                Arguments.of(new String[] {"--dataset", missing.toString()}, "--dataset"),
                Arguments.of(new String[] {"--device", "tpu"}, "--device"),
                Arguments.of(new String[] {"--device", "gpu"}, "--device"),
                Arguments.of(new String[] {"--device", "gpu:1"}, "--device"),
                Arguments.of(new String[] {"--resume", "not-a-uuid"}, "--resume"),
                Arguments.of(new String[] {"--resume", "00000000-0000-0000-0000-000000000000"}, "--resume"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badInvocations")
    void badInputIsRefusedBeforeAnyWorkAndStoresNothing(String[] bad, String flag) {
        long jobsBefore = jobs.count();
        long supernetsBefore = supernets.count();
        Run run = train(tiny(bad));
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains(flag).doesNotContain("Exception").doesNotContain("\tat ");
        if (!flag.contains("twice")) {
            assertThat(run.err()).doesNotContain("given twice");
        }
        assertThat(jobs.count()).isEqualTo(jobsBefore);
        assertThat(supernets.count()).isEqualTo(supernetsBefore);
    }

    @Test
    void withoutDeviceTheSettingAWorkerTrainsByIsUsedAndNamedWhenRefused() {
        long jobsBefore = jobs.count();
        Run run = trainWithSetting("gpu", tiny());
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith("tailor train: TAILOR_TRAINING_DEVICE (tailor.training.device): no GPU");
        Run flagWins = trainWithSetting("gpu", tiny("--device", "tpu"));
        assertThat(flagWins.err()).startsWith("tailor train: --device: 'tpu' is not a training device");
        assertThat(jobs.count()).isEqualTo(jobsBefore);
    }

    @Test
    void aDepthExpansionRunReportsAndRegistersItsOptimalDepth() {
        Run run =
                train(tiny("--name", "cli-depth", "--schedule", "depth-expansion", "--epochs", "3", "--patience", "1"));
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("optimal ").contains("optimal depth: level ");
        TrainingJob job = jobs.findAll().stream()
                .filter(j -> "cli-depth".equals(TrainingJobRunner.spec(j).name()))
                .findFirst()
                .orElseThrow();
        assertThat(job.getState()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.getProgress()).contains("\"optimal\"").contains("\"optimalDepth\"");
        assertThat(TrainingJobRunner.spec(job).patience()).isEqualTo(1);
    }

    @Test
    void aRunRegistersTheSupernetWithItsLargestAndSmallestSubnets() {
        Run run = train(tiny("--name", "cli-tiny", "--device", "cpu"));
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("2 epochs, on cpu")
                .contains("epoch 2/2 done")
                .contains("registered")
                .contains("test top-1");

        TrainingJob job = jobs.findAll().stream()
                .filter(j -> TrainingJobRunner.spec(j).name() != null
                        && TrainingJobRunner.spec(j).name().equals("cli-tiny"))
                .findFirst()
                .orElseThrow();
        assertThat(job.getState()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.getLastCheckpoint()).hasSize(64);
        assertThat(job.getProgress()).contains("largest").contains("smallest").contains("testTop1");
        var supernet = supernets.findById(job.getSupernetId()).orElseThrow();
        assertThat(supernet.getState()).isEqualTo(SupernetState.READY);
        assertThat(supernet.getCheckpointSha256()).isEqualTo(job.getLastCheckpoint());
        var registered = subnets.findAll().stream()
                .filter(s -> s.getSupernet().getId().equals(supernet.getId()))
                .toList();
        assertThat(registered).hasSize(2);
        assertThat(evaluations.findAll().stream()
                        .filter(e -> registered.stream()
                                .anyMatch(s -> s.getId().equals(e.getSubnet().getId()))))
                .hasSize(4);
        assertThat(registered)
                .allSatisfy(s -> assertThat(costs.existsById(s.getId())).isTrue());
    }

    @Test
    void anInterruptedRunContinuesFromItsLastCheckpointWhenStartedAgain() {
        String[] args = tiny("--name", "cli-crash", "--seed", "77");
        TrainingJobSpec.Prepared prepared =
                TrainCommand.spec(TrainCommand.parse(args)).prepare(null);
        TrainingJob job = runner.create(prepared);
        // the first process dies after its first checkpoint: the job stays RUNNING with that checkpoint
        List<Integer> checkpoints = new ArrayList<>();
        runner.run(job.getId(), prepared, new TrainingListener() {
            @Override
            public void onCheckpoint(int epoch, Checkpoint checkpoint, byte[] bytes) {
                checkpoints.add(epoch);
            }

            @Override
            public boolean stopRequested() {
                return !checkpoints.isEmpty();
            }
        });
        TrainingJob interrupted = jobs.findById(job.getId()).orElseThrow();
        assertThat(interrupted.getState()).isEqualTo(JobState.RUNNING);
        assertThat(interrupted.getLastCheckpoint()).isNotNull();

        Run again = train(args);

        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("continuing an unfinished run from its last checkpoint");
        TrainingJob finished = jobs.findById(job.getId()).orElseThrow();
        assertThat(finished.getState()).isEqualTo(JobState.SUCCEEDED);
        assertThat(finished.getResumedFromEpoch()).isEqualTo(1);
        assertThat(finished.getAttempts()).isEqualTo(2);
    }

    /**
     * A job created with a setting that {@code --resume ID} does not repeat (here --warmup-fraction 0.4;
     * the same happens to every job when a default changes): --resume used to hand the run the
     * command's settings, the checkpoint refused them, and the job was marked failed.
     */
    @Test
    void resumeContinuesAJobWithTheSettingsItWasCreatedWithAndRefusesFlagsThatContradictThem() throws IOException {
        String[] created = tiny("--name", "cli-old-default", "--seed", "81", "--warmup-fraction", "0.4");
        String[] today = tiny("--name", "cli-old-default", "--seed", "81");
        TrainingJob job = interruptedAfterOneEpoch(created);
        TrainingJob interrupted = jobs.findById(job.getId()).orElseThrow();

        // a flag that contradicts what the job was created with is refused, the job left as it was
        Run contradicted = train(withResume(tiny("--name", "cli-old-default", "--seed", "81", "--epochs", "3"), job));
        assertThat(contradicted.exitCode()).as(contradicted.out()).isEqualTo(2);
        assertThat(contradicted.err())
                .contains("--epochs: job " + job.getId() + " was created with 2, not 3")
                .contains("leave --epochs out")
                .doesNotContain("Exception");
        TrainingJob untouched = jobs.findById(job.getId()).orElseThrow();
        assertThat(untouched.getState()).isEqualTo(JobState.RUNNING);
        assertThat(untouched.getAttempts()).isEqualTo(interrupted.getAttempts());
        assertThat(untouched.getLastCheckpoint()).isEqualTo(interrupted.getLastCheckpoint());

        // without --resume today's settings start a new job, and say which unfinished one is like it
        Run fresh = train(today);
        assertThat(fresh.exitCode()).as(fresh.err()).isZero();
        assertThat(fresh.out())
                .contains("note: unfinished job " + job.getId() + " was created with --warmup-fraction 0.4 (this"
                        + " command: 0.5)")
                .contains("--resume " + job.getId() + " continues that one");

        // --resume continues it from its checkpoint with the settings it was created with, its data read
        // where it is now (a copy elsewhere: the same data)
        Path moved = IdxFixture.write(datasets.resolve("moved"), 640, 100);
        Run resumed = train(withResume(tiny("--name", "cli-old-default", "--dataset", moved.toString()), job));
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("job " + job.getId() + ": continuing an unfinished run");
        TrainingJob finished = jobs.findById(job.getId()).orElseThrow();
        assertThat(finished.getState()).isEqualTo(JobState.SUCCEEDED);
        assertThat(finished.getResumedFromEpoch()).isEqualTo(1);
    }

    /**
     * A sandwich job stored with a deps-only setting other than the command's (as every job would be
     * after that default changed): sandwich never reads it, so the same command is the same run and
     * continues the job (it started a new one, the old left unfinished).
     */
    @Test
    void theSameCommandContinuesAJobThatDiffersOnlyInASettingItsScheduleDoesNotRead() {
        TrainingJob job = interruptedAfterOneEpoch(tiny(
                "--name", "cli-sandwich-old", "--seed", "82", "--schedule", "sandwich", "--warmup-fraction", "0.4"));

        Run again = train(tiny("--name", "cli-sandwich-old", "--seed", "82", "--schedule", "sandwich"));

        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out())
                .contains("note: job " + job.getId() + " was created with --warmup-fraction 0.4")
                .contains("which sandwich does not read")
                .contains("job " + job.getId() + ": continuing an unfinished run");
        TrainingJob finished = jobs.findById(job.getId()).orElseThrow();
        assertThat(finished.getState()).isEqualTo(JobState.SUCCEEDED);
        assertThat(finished.getResumedFromEpoch()).isEqualTo(1);
    }

    /**
     * A job stored before {@code randomErase} existed has none in its settings, and trained without
     * erasing: the same command continues it without a note that it differs, and {@code --resume} with
     * {@code --random-erase 0} is no conflict (it printed "created with --random-erase the default (this
     * command: 0)" and refused the other).
     */
    @Test
    void aJobStoredBeforeRandomErasingExistedIsTheRunWithoutErasing() {
        TrainingJob sameCommand = storedWithoutRandomErase(interruptedAfterOneEpoch(tiny("--name", "cli-pre-erase-a")));
        TrainingJob resumedJob = storedWithoutRandomErase(interruptedAfterOneEpoch(tiny("--name", "cli-pre-erase-b")));

        Run again = train(tiny("--name", "cli-pre-erase-a"));
        Run resumed = train(withResume(tiny("--name", "cli-pre-erase-b", "--random-erase", "0"), resumedJob));

        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out())
                .contains("job " + sameCommand.getId() + ": continuing an unfinished run")
                .doesNotContain("note:");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("job " + resumedJob.getId() + ": continuing an unfinished run");
        for (TrainingJob job : List.of(sameCommand, resumedJob)) {
            TrainingJob finished = jobs.findById(job.getId()).orElseThrow();
            assertThat(finished.getState()).isEqualTo(JobState.SUCCEEDED);
            assertThat(finished.getResumedFromEpoch()).isEqualTo(1);
        }
    }

    /**
     * A job stored before {@code weightDecay} was a stored setting (before fab5b12) has neither it nor
     * {@code randomErase}, and trained with the weight decay of then, 3e-5. It was read with today's
     * default (5e-4), so {@code --resume} met a checkpoint "written with other options" and failed the
     * job, and the same command took it for its own run and failed it the same way.
     */
    @Test
    void aJobStoredBeforeItsWeightDecayWasStoredResumesWithTheDecayItTrainedWith() {
        TrainingJob resumedJob = storedAsBeforeWeightDecay(
                interruptedAfterOneEpoch(tiny("--name", "cli-pre-decay", "--weight-decay", "3e-5")));

        Run again = train(tiny("--name", "cli-pre-decay"));
        Run resumed = train(withResume(tiny("--name", "cli-pre-decay"), resumedJob));

        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out())
                .contains("note: unfinished job " + resumedJob.getId() + " was created with --weight-decay 0.00003")
                .contains("this command starts a new job");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("job " + resumedJob.getId() + ": continuing an unfinished run");
        TrainingJob finished = jobs.findById(resumedJob.getId()).orElseThrow();
        assertThat(finished.getState()).isEqualTo(JobState.SUCCEEDED);
        assertThat(finished.getResumedFromEpoch()).isEqualTo(1);
        assertThat(TrainingJobRunner.spec(finished).weightDecay()).isEqualTo(3e-5);
    }

    /** The job's stored settings as code before fab5b12 wrote them: no weightDecay, no randomErase. */
    private TrainingJob storedAsBeforeWeightDecay(TrainingJob job) {
        org.springframework.jdbc.core.simple.JdbcClient.create(dataSource)
                .sql("update training_job set hyper_parameters = hyper_parameters - 'weightDecay' - 'randomErase'"
                        + " where id = ?")
                .param(job.getId())
                .update();
        TrainingJob stored = jobs.findById(job.getId()).orElseThrow();
        assertThat(stored.getHyperParameters()).doesNotContain("weightDecay").doesNotContain("randomErase");
        return stored;
    }

    /** The job with {@code randomErase} taken out of its stored settings, as a job stored before it existed. */
    private TrainingJob storedWithoutRandomErase(TrainingJob job) {
        org.springframework.jdbc.core.simple.JdbcClient.create(dataSource)
                .sql("update training_job set hyper_parameters = hyper_parameters - 'randomErase' where id = ?")
                .param(job.getId())
                .update();
        TrainingJob stored = jobs.findById(job.getId()).orElseThrow();
        assertThat(stored.getHyperParameters()).doesNotContain("randomErase");
        return stored;
    }

    /** A job created with these flags whose process stopped after its first checkpoint. */
    private TrainingJob interruptedAfterOneEpoch(String[] args) {
        TrainingJobSpec.Prepared prepared =
                TrainCommand.spec(TrainCommand.parse(args)).prepare(null);
        TrainingJob job = runner.create(prepared);
        List<Integer> checkpoints = new ArrayList<>();
        runner.run(job.getId(), prepared, new TrainingListener() {
            @Override
            public void onCheckpoint(int epoch, Checkpoint checkpoint, byte[] bytes) {
                checkpoints.add(epoch);
            }

            @Override
            public boolean stopRequested() {
                return !checkpoints.isEmpty();
            }
        });
        TrainingJob interrupted = jobs.findById(job.getId()).orElseThrow();
        assertThat(interrupted.getState()).isEqualTo(JobState.RUNNING);
        assertThat(interrupted.getLastCheckpoint()).isNotNull();
        return interrupted;
    }

    private static String[] withResume(String[] args, TrainingJob job) {
        return Stream.concat(
                        java.util.Arrays.stream(args),
                        Stream.of("--resume", job.getId().toString()))
                .toArray(String[]::new);
    }

    @Autowired
    javax.sql.DataSource dataSource;

    @Test
    void resumingAJobAnotherProcessTrainsSaysSoWithoutAStackTrace() throws Exception {
        String[] args = tiny("--name", "cli-taken", "--seed", "79");
        TrainingJobSpec.Prepared prepared =
                TrainCommand.spec(TrainCommand.parse(args)).prepare(null);
        TrainingJob job = runner.create(prepared);
        TrainingJob before = jobs.findById(job.getId()).orElseThrow();
        // what a worker training the job holds
        try (java.sql.Connection worker = dataSource.getConnection()) {
            assertThat(AdvisoryLock.tryLock(worker, job.getId())).isTrue();
            try {
                String[] resume = java.util.stream.Stream.concat(
                                java.util.Arrays.stream(args),
                                Stream.of("--resume", job.getId().toString()))
                        .toArray(String[]::new);
                Run taken = train(resume);

                assertThat(taken.exitCode()).as(taken.err()).isEqualTo(1);
                assertThat(taken.err())
                        .contains("job " + job.getId() + " is being trained by another process")
                        .contains("/api/v1/training-jobs/" + job.getId())
                        .doesNotContain("Exception")
                        .doesNotContain("\tat ");
            } finally {
                AdvisoryLock.unlock(worker, job.getId());
            }
        }
        TrainingJob after = jobs.findById(job.getId()).orElseThrow();
        assertThat(after.getState()).isEqualTo(before.getState());
        assertThat(after.getAttempts()).isEqualTo(before.getAttempts());
    }

    @Autowired
    TrainedSupernets trainedSupernets;

    @Test
    void aDatasetOtherThanTheOneTrainedOnIsRefusedOnResumeAndOnRestore() throws IOException {
        Path swapped = IdxFixture.write(datasets.resolve("swapped"), 640, 100);
        String[] args = tiny("--name", "cli-swap", "--seed", "78");
        args[java.util.Arrays.asList(args).indexOf(dataset.toString())] = swapped.toString();
        TrainingJobSpec.Prepared prepared =
                TrainCommand.spec(TrainCommand.parse(args)).prepare(null);
        TrainingJob job = runner.create(prepared);
        List<Integer> checkpoints = new ArrayList<>();
        runner.run(job.getId(), prepared, new TrainingListener() {
            @Override
            public void onCheckpoint(int epoch, Checkpoint checkpoint, byte[] bytes) {
                checkpoints.add(epoch);
            }

            @Override
            public boolean stopRequested() {
                return !checkpoints.isEmpty();
            }
        });
        TrainingJob interrupted = jobs.findById(job.getId()).orElseThrow();

        IdxFixture.write(swapped, 640, 100, 10);
        Run refused = train(args);

        assertThat(refused.exitCode()).as(refused.out()).isEqualTo(2);
        assertThat(refused.err()).contains("--dataset").contains("is not the one supernet");
        TrainingJob untouched = jobs.findById(job.getId()).orElseThrow();
        assertThat(untouched.getState()).isEqualTo(JobState.RUNNING);
        assertThat(untouched.getLastCheckpoint()).isEqualTo(interrupted.getLastCheckpoint());
        assertThat(untouched.getAttempts()).isEqualTo(interrupted.getAttempts());
        // and the job says why it waits: a worker retrying it showed its old progress and no error
        assertThat(untouched.getError()).contains("waiting for a worker").contains("is not the one supernet");

        // the data it was trained on back in place: the run continues and registers its supernet
        IdxFixture.write(swapped, 640, 100);
        Run resumed = train(args);
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        java.util.UUID supernetId = jobs.findById(job.getId()).orElseThrow().getSupernetId();
        assertThat(supernets.findById(supernetId).orElseThrow().getDatasetSha256())
                .hasSize(64);

        // catalogue builds and exports restore it the same way, and are refused the same way
        IdxFixture.write(swapped, 640, 100, 10);
        assertThatThrownBy(() -> trainedSupernets.restore(supernetId, null))
                .isInstanceOf(TrainedSupernets.UnusableSupernetException.class)
                .hasMessageContaining("is not the one supernet " + supernetId);
    }
}
