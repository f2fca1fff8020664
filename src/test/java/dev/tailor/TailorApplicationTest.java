package dev.tailor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TailorApplicationTest {

    private static final String UUID_TEXT = "0b9f2c4e-8a1d-4f3e-9c2b-5d6e7f8a9b0c";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return TailorApplication.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void unknownVerbPrintsTheVerbsAndExitsWithTwo() {
        assertThat(run("frobnicate", "--x=1")).isEqualTo(2);
        String message = err.toString(StandardCharsets.UTF_8);
        assertThat(message)
                .contains("unknown verb 'frobnicate'")
                .contains("serve")
                .contains("worker");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void helpListsEveryVerbAndExitsWithZero() {
        assertThat(run("--help")).isZero();
        String usage = out.toString(StandardCharsets.UTF_8);
        for (Verb verb : Verb.values()) {
            assertThat(usage).contains(verb.cliName());
        }
    }

    @Test
    void trainHelpPrintsItsFlagsWithoutStartingAnything() {
        assertThat(run("train", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--schedule").contains("--resume");
    }

    @Test
    void everyVerbsHelpPrintsItsUsageWithoutStartingAnything(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path home) {
        for (Verb verb : Verb.values()) {
            out.reset();
            // a home that nothing may be written to: --help starts no database
            assertThat(run(verb.cliName(), "--tailor.home=" + home.resolve("untouched"), "-h"))
                    .as(verb.cliName())
                    .isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .as(verb.cliName())
                    .startsWith("usage: tailor")
                    .contains(verb == Verb.SERVE ? "[serve]" : verb.cliName());
        }
        assertThat(home.resolve("untouched")).doesNotExist();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aFlagMistakeIsRefusedBeforeAnythingStarts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home) {
        String untouched = "--tailor.home=" + home.resolve("untouched");
        String[][] mistakes = {
            {"train", untouched, "--bogus", "1"},
            {"train", untouched, "--epochs", "many"},
            {"train", untouched, "--epochs"},
            {"catalogue", untouched, "--subnets", "10"},
            {"catalogue", untouched, "--supernet", "not-a-uuid"},
            {"specialize", untouched, "--colour", "red"},
            {"specialize", untouched, "--latency-ms", "abc", "-o", "model.onnx"},
            {"specialize", untouched, "--latency-ms", "15"},
            {"export", untouched, "--supernet", "a", "--supernet", "b"},
            {"export", untouched, "--supernet", "xyz", "--subnet", "ab", "-o", "model.onnx"},
            {"export", untouched, "--supernet", UUID_TEXT, "--config", "{not json", "-o", "model.onnx"},
            {"bench", untouched, "warp"},
            {"bench", untouched, "search", "--bogus=1"},
            {"keys", untouched, "create", "--role"},
            {"keys", untouched, "rotate"},
            {"keys", untouched, "revoke", "abc"},
            {"serve", untouched, "--server.port", "9090"},
            {"worker", untouched, "extra"},
            {"serve", untouched, "train"}
        };
        String[] named = {
            "unknown flag --bogus",
            "--epochs: 'many' is not a number",
            "--epochs needs a value",
            "--supernet: which supernet",
            "is not a supernet id",
            "unknown flag --colour",
            "--latency-ms: 'abc' is not a valid value",
            "-o: the file to write the ONNX model to",
            "--supernet is given twice",
            "--supernet: 'xyz' is not a supernet id (a UUID)",
            "--config: not a subnet config",
            "unknown benchmark 'warp'",
            "unknown flag --bogus",
            "--role needs a value",
            "unknown action 'rotate'",
            "revoke: 'abc' is not a key id",
            "--server.port takes its value after '=': --server.port=9090",
            "'extra' is not an option: worker takes Spring's options as --name=value",
            "'train' after an option: the verb comes first"
        };
        for (int i = 0; i < mistakes.length; i++) {
            err.reset();
            String verb = mistakes[i][0];
            assertThat(run(mistakes[i])).as(String.join(" ", mistakes[i])).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .as(String.join(" ", mistakes[i]))
                    .startsWith("tailor " + verb + ": ")
                    .contains(named[i])
                    .contains("usage: tailor");
        }
        // no database was started for any of them: the home was never made
        assertThat(home.resolve("untouched")).doesNotExist();
    }

    @Test
    void verbsAreMatchedByName() {
        assertThat(Verb.byName("serve")).contains(Verb.SERVE);
        assertThat(Verb.byName("WORKER")).contains(Verb.WORKER);
        assertThat(Verb.byName("train")).contains(Verb.TRAIN);
        assertThat(Verb.byName("bench")).contains(Verb.BENCH);
        assertThat(Verb.TRAIN.oneShot()).isTrue();
        assertThat(Verb.SERVE.oneShot()).isFalse();
        assertThat(Verb.byName("train-me")).isEmpty();
    }
}
