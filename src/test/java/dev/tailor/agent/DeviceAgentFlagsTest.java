package dev.tailor.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The agent's flags: a mistake is refused with the flag named before anything is contacted. */
class DeviceAgentFlagsTest {

    private static String refusal(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = DeviceAgent.main(
                args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(2);
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void mistakesNameTheirFlag() {
        String[] base = {"--server", "http://127.0.0.1:9", "--device", "pi"};
        assertThat(refusal(base[0], base[1], base[2], base[3], "--token"))
                .startsWith("tailor agent: --token needs a value");
        assertThat(refusal(base[0], base[1], base[2], base[3], "--token", "t", "--colour", "blue"))
                .startsWith("tailor agent: unknown flag --colour");
        assertThat(refusal(base[0], base[1], base[2], base[3], "--token", "t", "--once=yes"))
                .startsWith("tailor agent: --once takes no value");
        assertThat(refusal(base[0], base[1], base[2], base[3])).startsWith("tailor agent: --token is required");
        assertThat(refusal(base[0], base[1], base[2], base[3], "--token", "t", "--poll-seconds", "0"))
                .contains("--poll-seconds");
        // these built no request and were retried for good, --once included
        for (String server : new String[] {"http://", "http:/x", "httpx://h", "ftp://h"}) {
            assertThat(refusal("--server", server, "--device", "pi", "--token", "t", "--once"))
                    .as(server)
                    .startsWith("tailor agent: --server: '" + server + "' is not an http(s) URL");
        }
        assertThat(refusal("--server", "http://127.0.0.1:9", "--device", "pi 4", "--token", "t", "--once"))
                .startsWith("tailor agent: --device: 'pi 4' is not a device name");
    }

    @Test
    void theKeyCanComeFromTheEnvironmentWhereOtherUsersCannotReadIt() {
        // the key is taken: the next mistake named is the flag after it, not a missing --token
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = DeviceAgent.main(
                new String[] {"--server", "http://127.0.0.1:9", "--device", "pi", "--poll-seconds", "0"},
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                java.util.Map.of(DeviceAgent.KEY_VARIABLE, "tlr_secret"));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--poll-seconds")
                .doesNotContain("--token is required");
    }
}
