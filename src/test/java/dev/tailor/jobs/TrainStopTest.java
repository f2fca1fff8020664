package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code tailor train} in its own process, stopped with SIGTERM (as Ctrl-C or a container stop)
 * part-way through its second (and last) epoch: the run stops at a step boundary, keeps the steps it did in a
 * checkpoint, says that the same command continues it, exits 143, and the same command then
 * finishes it from the step after them.
 */
class TrainStopTest {

    @Test
    void aStoppedTrainRunSaysHowToContinueAndTheSameCommandFinishesIt() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "train-stop");
        // 1,280 training images after the 100 held out: 40 steps of 32 per epoch
        Path dataset = IdxFixture.write(dir.resolve("data"), 1380, 100);
        List<String> command = List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m",
                "-XX:TieredStopAtLevel=1",
                "-Dai.djl.offline=true",
                "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")),
                "-Dtailor.home=" + dir.resolve("home"),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.tailor.TailorApplication",
                "train",
                "--dataset",
                dataset.toString(),
                "--name",
                "stopped",
                "--schedule",
                "sandwich",
                "--epochs",
                "2",
                "--batch-size",
                "32",
                "--max-steps-per-epoch",
                "40",
                "--validation-size",
                "100",
                "--calibration-images",
                "64");

        Path firstLog = dir.resolve("first.log");
        Process first = start(command, firstLog);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        // a line every 4 steps (a tenth of an epoch, output to a file)
        while (!Files.readString(firstLog).contains("epoch 2/2 step 8/40")) {
            assertThat(first.isAlive()).as(Files.readString(firstLog)).isTrue();
            assertThat(System.nanoTime())
                    .as("8 steps of the second epoch within 3 minutes")
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
        first.destroy();
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stopped = Files.readString(firstLog);
        assertThat(first.exitValue()).as(stopped).isEqualTo(143);
        assertThat(stopped)
                .contains("epoch 1/2 done")
                .containsPattern("stopped after step \\d+ of epoch 2/2 \\(sandwich\\), checkpoint [0-9.]+ MB stored")
                .contains("it continues from there")
                .contains("stopped at a step boundary for a shutdown; the same command continues it")
                .doesNotContain("registered")
                .doesNotContain("Exception");

        Path secondLog = dir.resolve("second.log");
        Process second = start(command, secondLog);
        assertThat(second.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String finished = Files.readString(secondLog);
        assertThat(second.exitValue()).as(finished).isZero();
        assertThat(finished)
                .contains("continuing an unfinished run from its last checkpoint", "registered")
                .containsPattern("resumes at step (9|[1-3]\\d|40) of epoch 2 from checkpoint")
                // the second epoch's first steps, trained by the first run, are not trained again
                .doesNotContain("epoch 2/2 step 4/40")
                .doesNotContain("epoch 2/2 step 8/40");
    }

    private static Process start(List<String> command, Path log) throws IOException {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }
}
