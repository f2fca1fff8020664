package dev.tailor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./tailor} launcher, run by bash on a copy of the checkout whose jar is current, with a
 * {@code java} on the PATH that writes down how it was called instead of starting anything.
 */
class LauncherScriptTest {

    @TempDir
    Path root;

    Path checkout;
    Path caller;
    Path bin;
    Path called;

    @BeforeEach
    void checkoutWithACurrentJarAndAJavaThatRecordsItsCall() throws Exception {
        checkout = Files.createDirectories(root.resolve("checkout"));
        Path script = Files.copy(Path.of("tailor"), checkout.resolve("tailor"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        FileTime anHourAgo = FileTime.from(Instant.now().minusSeconds(3600));
        Files.setLastModifiedTime(Files.createDirectories(checkout.resolve("src")), anHourAgo);
        Files.setLastModifiedTime(Files.writeString(checkout.resolve("pom.xml"), "<project/>"), anHourAgo);
        Files.writeString(Files.createDirectories(checkout.resolve("target")).resolve("tailor.jar"), "not built");
        caller = Files.createDirectories(root.resolve("caller"));
        bin = Files.createDirectories(root.resolve("bin"));
        called = root.resolve("called.txt");
        Path java = Files.writeString(bin.resolve("java"), """
                #!/bin/sh
                { echo "cwd=$(pwd -P)"; echo "home=$TAILOR_HOME"; for a in "$@"; do echo "arg=$a"; done; } > "$CALLED"
                """);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private List<String> launch(Path launcher, Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(caller.toFile())
                .redirectErrorStream(true)
                .redirectOutput(root.resolve("launcher.log").toFile());
        Map<String, String> environment = builder.environment();
        environment.remove("JAVA_OPTS");
        environment.remove("JAVA_TOOL_OPTIONS");
        environment.remove("JDK_JAVA_OPTIONS");
        environment.remove("_JAVA_OPTIONS");
        environment.remove("TAILOR_HOME");
        environment.put("PATH", bin + ":" + environment.getOrDefault("PATH", "/usr/bin:/bin"));
        environment.put("TAILOR_DATASET_DIR", root.toString());
        environment.put("CALLED", called.toString());
        environment.putAll(env);
        Process process = builder.start();
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue())
                .as("the launcher's output: %s", Files.readString(root.resolve("launcher.log")))
                .isZero();
        return Files.readAllLines(called);
    }

    @Test
    void aHeapGivenInJavaToolOptionsIsLeftAloneAndTheLauncherStillRuns() throws Exception {
        // `${JAVA_OPTS}` was expanded unset under `set -u`: "JAVA_OPTS: unbound variable", exit 1
        List<String> call = launch(checkout.resolve("tailor"), Map.of("JAVA_TOOL_OPTIONS", "-Xmx2g"), "help");

        assertThat(call).contains("arg=-jar", "arg=help").doesNotContain("arg=-Xmx1g");
    }

    @Test
    void aHeapGivenInTheVariablesTheJavaLauncherReadsIsLeftAlone() throws Exception {
        // java puts JDK_JAVA_OPTIONS before the command line: -Xmx1g there overrode -Xmx4g, and under -Xms2g
        // the JVM refused to start
        for (String variable : new String[] {"JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"}) {
            assertThat(launch(checkout.resolve("tailor"), Map.of(variable, "-Xms2g"), "help"))
                    .as(variable)
                    .contains("arg=help")
                    .doesNotContain("arg=-Xmx1g");
        }
    }

    @Test
    void anInitialHeapIsNotCappedBelowItself() throws Exception {
        List<String> call = launch(checkout.resolve("tailor"), Map.of("JAVA_OPTS", "-Xms2g"), "help");

        assertThat(call).contains("arg=-Xms2g").doesNotContain("arg=-Xmx1g");
    }

    @Test
    void withNoHeapGivenTheHeapIsCappedAtOneGibibyte() throws Exception {
        assertThat(launch(checkout.resolve("tailor"), Map.of(), "help")).contains("arg=-Xmx1g");
    }

    @Test
    void relativePathsMeanTheCallersDirectoryAndTheDefaultHomeIsTheCheckouts() throws Exception {
        Path linked = Files.createSymbolicLink(
                Files.createDirectories(root.resolve("usr-local-bin")).resolve("tailor"), checkout.resolve("tailor"));

        List<String> call = launch(linked, Map.of(), "specialize", "-o", "model.onnx");

        assertThat(call)
                .contains("cwd=" + caller.toRealPath())
                .contains("home=" + checkout.toRealPath().resolve("data"))
                .contains("arg=" + checkout.toRealPath().resolve("target/tailor.jar"))
                .containsSubsequence("arg=specialize", "arg=-o", "arg=model.onnx");
    }

    @Test
    void aHomeTheCallerGivesIsKept() throws Exception {
        assertThat(launch(checkout.resolve("tailor"), Map.of("TAILOR_HOME", "./prod"), "serve"))
                .contains("home=./prod");
    }
}
