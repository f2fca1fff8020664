package dev.tailor.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The agent against a stub server on loopback: it waits out a busy server and stops on a refusal. */
class DeviceAgentBackoffTest {

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    /** Answers the task listing with the given statuses in turn, then with an empty list. */
    private URI serve(int... statuses) throws IOException {
        Deque<Integer> answers = new ArrayDeque<>();
        for (int status : statuses) {
            answers.add(status);
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/devices/pi/tasks", exchange -> {
            requests.incrementAndGet();
            Integer status = answers.poll();
            byte[] body = (status == null
                            ? "[]"
                            : "{\"status\":" + status + ",\"detail\":\"stub says " + status + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            if (status != null && status == 503) {
                // what the server's database-outage 503 carries
                exchange.getResponseHeaders().add("Retry-After", "3");
            }
            exchange.sendResponseHeaders(status == null ? 200 : status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aBusyServerIsTriedAgainAfterAWaitInsteadOfEndingTheAgent() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DeviceAgent agent =
                new DeviceAgent(serve(503), "pi", "token", new PrintStream(out, true, StandardCharsets.UTF_8));

        int done = agent.run(true, 5, 1);

        assertThat(done).isZero();
        assertThat(requests).hasValue(2);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("answered 503: stub says 503")
                // the server's Retry-After, longer than the first wait of 2 s, is honoured
                .contains("trying again in 3 s");
    }

    @Test
    void aRefusalEndsTheAgentAtOnceWithTheServersReason() throws Exception {
        DeviceAgent agent = new DeviceAgent(serve(401), "pi", "wrong", new PrintStream(new ByteArrayOutputStream()));

        assertThatThrownBy(() -> agent.run(true, 5, 1))
                .isInstanceOf(DeviceAgent.AgentException.class)
                .hasMessageContaining("401")
                .hasMessageContaining("stub says 401");
        assertThat(requests).hasValue(1);
    }

    @Test
    void aConflictOrATimeoutIsTriedAgainWhileARefusalIsNot() throws Exception {
        // 409: "conflicts with data stored at the same time; read it and retry" ended the agent
        assertThat(DeviceAgent.busy(409)).isTrue();
        assertThat(DeviceAgent.busy(408)).isTrue();
        assertThat(DeviceAgent.busy(429)).isTrue();
        assertThat(DeviceAgent.busy(502)).isTrue();
        for (int refusal : new int[] {400, 401, 403, 404, 413}) {
            assertThat(DeviceAgent.busy(refusal)).as("status " + refusal).isFalse();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DeviceAgent agent =
                new DeviceAgent(serve(409), "pi", "token", new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(agent.run(true, 5, 1)).isZero();
        assertThat(requests).hasValue(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("answered 409");
    }
}
