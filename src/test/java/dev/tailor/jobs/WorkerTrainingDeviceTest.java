package dev.tailor.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A worker told to train on a GPU that libtorch here cannot use (the jar's CPU build) refuses to
 * start, saying why and what to do, without a stack trace, instead of failing every job it takes.
 */
class WorkerTrainingDeviceTest {

    @Test
    void aWorkerWhoseGpuLibtorchCannotUseRefusesToStartAndSaysWhatToDo() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "worker-device");
        Path log = dir.resolve("worker.log");
        ProcessBuilder builder = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-Xmx512m",
                        "-XX:TieredStopAtLevel=1",
                        "-Dai.djl.offline=true",
                        "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")),
                        "-Dtailor.home=" + dir.resolve("home"),
                        "-Dserver.port=0",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.tailor.TailorApplication",
                        "worker")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("TAILOR_TRAINING_DEVICE", "gpu");
        Process worker = builder.start();
        assertThat(worker.waitFor(3, TimeUnit.MINUTES)).as("the worker exits").isTrue();
        String output = Files.readString(log);
        assertThat(worker.exitValue()).as(output).isEqualTo(1);
        assertThat(output)
                .contains("APPLICATION FAILED TO START")
                .contains("tailor.training.device (TAILOR_TRAINING_DEVICE): no GPU: the libtorch Tailor carries is its"
                        + " CPU build")
                .contains("PYTORCH_FLAVOR=cu128")
                .contains("Start this worker with TAILOR_TRAINING_DEVICE=cpu")
                .doesNotContain("\tat ")
                .doesNotContain("Exception in thread");
    }
}
