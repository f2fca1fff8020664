package dev.tailor.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java side of the peer driver's protocol, against shell scripts that speak it (no torch needed). */
class TorchPeerTest {

    @TempDir
    Path dir;

    private TorchPeer peerSpeaking(String shell) throws Exception {
        Path fake = dir.resolve("fake-python.sh");
        Files.writeString(fake, shell);
        Path script = dir.resolve("torch_peer.py");
        Files.writeString(script, "# the peer script; the fake interpreter does not read it\n");
        return new TorchPeer(script, List.of("/bin/sh", fake.toString()));
    }

    @Test
    void theDriverIsStartedOnceWarmedUpAndAskedForStepsTurnByTurn() throws Exception {
        // the driver's arguments arrive as $1 (driver file), $2 (peer script) and $3 (threads)
        TorchPeer peer = peerSpeaking("""
                test -f "$1" || exit 3
                grep -q 'def main' "$1" || exit 4
                echo "warning: something on the error stream" >&2
                echo "ready torch fake, $3 threads, params 924546"
                while read n; do
                  test -z "$n" && exit 0
                  echo "0.$n"
                done
                """);
        StringBuilder whyNot = new StringBuilder();

        Optional<TorchPeer.Steps> started = peer.start(2, whyNot);

        assertThat(whyNot).isEmpty();
        assertThat(started).isPresent();
        try (TorchPeer.Steps steps = started.get()) {
            assertThat(steps.description()).isEqualTo("torch fake, 2 threads, params 924546");
            assertThat(steps.run(2)).isEqualTo(0.2);
            assertThat(steps.run(5)).isEqualTo(0.5);
        }
    }

    @Test
    void anInterpreterWithoutTorchIsReportedWithItsOwnLastWords() throws Exception {
        TorchPeer peer = peerSpeaking("""
                echo "Traceback (most recent call last):" >&2
                echo "ModuleNotFoundError: No module named 'torch'" >&2
                exit 1
                """);
        StringBuilder whyNot = new StringBuilder();

        assertThat(peer.start(2, whyNot)).isEmpty();

        assertThat(whyNot.toString())
                .contains("ModuleNotFoundError: No module named 'torch'")
                .contains("python3-torch");
    }

    @Test
    void aPeerThatDiesOrAnswersNonsenseFailsItsTurnWithTheReason() throws Exception {
        TorchPeer dies = peerSpeaking("""
                echo "ready torch fake, $3 threads, params 1"
                read n
                echo "RuntimeError: out of memory" >&2
                exit 1
                """);
        try (TorchPeer.Steps steps = dies.start(2, new StringBuilder()).orElseThrow()) {
            assertThatThrownBy(() -> steps.run(2))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("RuntimeError: out of memory");
        }
        TorchPeer nonsense = peerSpeaking("""
                echo "ready torch fake, $3 threads, params 1"
                read n
                echo "nan"
                read n
                """);
        try (TorchPeer.Steps steps = nonsense.start(2, new StringBuilder()).orElseThrow()) {
            assertThatThrownBy(() -> steps.run(2))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'nan' instead of seconds");
        }
    }

    @Test
    void aMissingPeerScriptIsReportedWithoutStartingAnything() {
        TorchPeer peer = new TorchPeer(dir.resolve("nowhere.py"), List.of("/bin/false"));
        StringBuilder whyNot = new StringBuilder();

        assertThat(peer.start(2, whyNot)).isEmpty();
        assertThat(whyNot.toString()).startsWith("no peer script at ");
    }
}
