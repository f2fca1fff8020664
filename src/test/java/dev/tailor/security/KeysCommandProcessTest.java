package dev.tailor.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./tailor keys create} as a real process: standard output carries the key and nothing else, so
 * that {@code KEY=$(./tailor keys create ...)} holds a key a request can send. Spring's console log
 * writes to standard output; the embedded database's start-up lines landed in front of the key.
 */
class KeysCommandProcessTest {

    @TempDir
    Path home;

    @Test
    void keysCreatePrintsTheKeyAloneOnStandardOutputAndItsLogLinesOnStandardError() throws Exception {
        Path stdout = home.resolve("stdout.txt");
        Path stderr = home.resolve("stderr.txt");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(
                        java,
                        "-Xmx512m",
                        "-XX:TieredStopAtLevel=1",
                        "-Dai.djl.offline=true",
                        "-Dtailor.home=" + home.resolve("home"),
                        "-Djava.io.tmpdir=" + Files.createDirectories(home.resolve("tmp")),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.tailor.TailorApplication",
                        "keys",
                        "create",
                        "--role",
                        "viewer",
                        "--name",
                        "ci")
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        String errors = Files.readString(stderr);
        assertThat(process.exitValue()).as(errors).isZero();

        List<String> printed = Files.readAllLines(stdout);
        assertThat(printed)
                .as("standard output; standard error was:%n%s", errors)
                .hasSize(1);
        assertThat(printed.get(0)).matches("tlr_\\S+");
        // the log lines are still there, where a terminal shows them and a $(...) does not take them
        assertThat(errors).contains("embedded PostgreSQL").contains("it is shown this once");
    }
}
