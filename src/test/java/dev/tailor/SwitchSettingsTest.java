package dev.tailor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.env.MockEnvironment;

@ExtendWith(OutputCaptureExtension.class)
class SwitchSettingsTest {

    private static void check(MockEnvironment environment) {
        SwitchSettings.check(environment);
    }

    @Test
    void aSwitchTakesTrueOrFalseInAnyCaseAndNothingElse() {
        assertThatCode(() -> check(new MockEnvironment()
                        .withProperty("tailor.worker.enabled", "TRUE")
                        .withProperty("tailor.bootstrap.enabled", "False")))
                .doesNotThrowAnyException();
        // " true" too: a bean's condition compares it untrimmed, a boolean field trims it
        for (String value : new String[] {"yes", "1", "on", "no", "0", "", " true"}) {
            assertThatThrownBy(() -> check(new MockEnvironment().withProperty("tailor.bootstrap.enabled", value)))
                    .as(value)
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessage(
                            "tailor.bootstrap.enabled (TAILOR_BOOTSTRAP) is '" + value + "'; it takes true or false");
        }
    }

    @Test
    void aWorkerToldNotToRunWorkIsRefused() {
        MockEnvironment worker = new MockEnvironment()
                .withProperty("tailor.worker.enabled", "false")
                .withProperty(SwitchSettings.VERB, "worker");
        assertThatThrownBy(() -> check(worker)).hasMessageContaining("a worker runs nothing else");

        MockEnvironment apiReplica = new MockEnvironment()
                .withProperty("tailor.worker.enabled", "false")
                .withProperty(SwitchSettings.VERB, "serve");
        assertThatCode(() -> check(apiReplica)).doesNotThrowAnyException();
    }

    @Test
    void serveWithAWorkerSwitchOfYesStopsAtOnceNamingTheSetting(@TempDir Path home, CapturedOutput output) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = TailorApplication.run(
                new String[] {
                    "serve",
                    "--tailor.home=" + home.resolve("untouched"),
                    "--server.port=0",
                    "--tailor.worker.enabled=yes"
                },
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(exit).isEqualTo(1);
        assertThat(output.getAll())
                .contains("tailor.worker.enabled (TAILOR_WORKER_ENABLED) is 'yes'; it takes true or false")
                .doesNotContain("\tat ");
        // refused before the embedded database was created
        assertThat(home.resolve("untouched")).doesNotExist();
    }

    @Test
    void aSettingOfTheWrongTypeOrOutOfRangeIsNamedWithoutAStackTrace(@TempDir Path home, CapturedOutput output) {
        String[][] cases = {
            {"--tailor.events.max-streams=abc", "tailor.events.max-streams is 'abc'; it takes a whole number"},
            {
                "--tailor.specialization.max-queued-exports=0",
                "tailor.specialization.max-queued-exports must be at least 1"
            },
            // accepted before: every catalogue build queued after training failed, naming no setting
            {"--tailor.catalogue.subnets=0", "tailor.catalogue.subnets must be between 1 and 100000"},
            // accepted before: a fit on a young catalogue threw and specializations failed instead of waiting
            {"--tailor.predictor.min-rows=2", "tailor.predictor.min-rows must be at least 5"},
            // refused before, with a stack trace
            {"--tailor.api.max-request-bytes=0", "tailor.api.max-request-bytes must be at least 1"}
        };
        for (String[] setting : cases) {
            int exit = TailorApplication.run(
                    new String[] {
                        "serve",
                        "--tailor.home=" + home.resolve("home"),
                        "--server.port=0",
                        "--tailor.bootstrap.enabled=false",
                        setting[0]
                    },
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

            assertThat(exit).as(setting[0]).isEqualTo(1);
            assertThat(output.getAll()).as(setting[0]).contains(setting[1]);
        }
        assertThat(output.getAll()).contains("APPLICATION FAILED TO START").doesNotContain("\tat ");
    }
}
