package dev.tailor.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A service started with no key configured prints its first operator key once; the key works;
 * a restart prints nothing. The {@code keys} verb creates, lists and revokes keys.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false",
            "tailor.worker.enabled=false",
            "tailor.security.operator-key=",
            "tailor.test.context=first-key"
        })
class FirstOperatorKeyTest {

    private static final Pattern KEY = Pattern.compile("tlr_[A-Za-z0-9_-]{43}");

    @Autowired
    ApiKeys keys;

    @Autowired
    AccessProperties properties;

    @LocalServerPort
    int port;

    private int postDevice(String key, String name) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/devices"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}"));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HttpClient.newHttpClient()
                .send(request.build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    @Test
    void theFirstOperatorKeyIsPrintedOnceAndWorks(CapturedOutput output) throws Exception {
        List<String> printed = KEY.matcher(output.getOut())
                .results()
                .map(m -> m.group())
                .distinct()
                .toList();
        assertThat(printed).as("one key printed, in one banner").hasSize(1);
        String first = printed.get(0);
        assertThat(postDevice(null, "first-key-a")).isEqualTo(401);
        assertThat(postDevice(first, "first-key-a")).isEqualTo(201);

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        new FirstOperatorKey(keys, properties, new PrintStream(again, true, StandardCharsets.UTF_8)).run(null);
        assertThat(again.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(keys.list().stream().filter(k -> k.role() == Role.OPERATOR)).hasSize(1);
    }

    @Test
    void theKeysVerbCreatesListsAndRevokes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        KeysCommand command = new KeysCommand(
                keys,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(command.execute(new String[] {"create", "--role", "operator", "--name", "ops"}))
                .isZero();
        String key = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(key).matches(KEY);
        assertThat(postDevice(key, "keys-verb-a")).isEqualTo(201);

        out.reset();
        assertThat(command.execute(new String[] {"list"})).isZero();
        String listing = out.toString(StandardCharsets.UTF_8);
        assertThat(listing).contains("ops").contains(key.substring(0, 12)).doesNotContain(key);
        long id = keys.list().stream()
                .filter(k -> k.name().equals("ops"))
                .findFirst()
                .orElseThrow()
                .id();

        assertThat(command.execute(new String[] {"revoke", Long.toString(id)})).isZero();
        assertThat(postDevice(key, "keys-verb-b")).isEqualTo(401);

        err.reset();
        assertThat(command.execute(new String[] {"create", "--role", "root", "--name", "x"}))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--role");
        err.reset();
        assertThat(command.execute(new String[] {"create", "--role", "agent", "--name", "x"}))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--device");
        err.reset();
        assertThat(command.execute(new String[] {"revoke", "banana"})).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not a key id");
        assertThat(command.execute(new String[] {"rotate"})).isEqualTo(2);
    }
}
