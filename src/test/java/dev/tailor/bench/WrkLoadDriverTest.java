package dev.tailor.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** wrk as a load driver, run for real against a small loopback server (CI installs wrk). */
class WrkLoadDriverTest {

    private static final String BODY = "{\"device\":\"host-cpu\",\"note\":\"a \\\"quoted\\\" é\\\\path\"}";

    @Test
    void countsRequestsAndEveryErrorStatusAndTheBenchChecksTheExactStatusFirst() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        server.setExecutor(threads);
        server.createContext("/echo", WrkLoadDriverTest::answer);
        server.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            WrkLoadDriver driver = new WrkLoadDriver("wrk", base, "k3y");

            LoadScenario post = LoadScenario.postJson("post", "/echo", BODY);
            // the first answers of a fresh JVM's server can take longer than a short run lasts
            driver.drive(post, 4, 1);
            LoadResult ok = driver.drive(post, 4, 2);
            assertThat(ok.requests()).isGreaterThan(10);
            assertThat(ok.errors()).isZero();
            assertThat(ok.seconds()).isBetween(1.9, 6.0);
            assertThat(ok.p50()).isPositive().isLessThanOrEqualTo(ok.p99());
            assertThat(ok.p99()).isLessThanOrEqualTo(ok.max());

            // a GET where the server wants the POST: every answer is a 405, so every request is an error
            LoadResult refused = driver.drive(LoadScenario.get("get", "/echo"), 2, 2);
            assertThat(refused.requests()).isGreaterThan(10);
            assertThat(refused.errors()).isEqualTo(refused.requests());

            // wrk counts statuses from 400 up; the exact expected status is checked once before a run
            LoadBench bench = new LoadBench(base, "k3y", driver, 1, 1, 1);
            bench.check(post);
            assertThatThrownBy(() -> bench.check(LoadScenario.get("get", "/echo")))
                    .hasMessageContaining("answered 405, not 200");
            assertThatThrownBy(() -> bench.check(new LoadScenario("created", "POST", "/echo", BODY, 201)))
                    .hasMessageContaining("answered 200, not 201");
        } finally {
            server.stop(0);
            threads.shutdownNow();
        }
    }

    /** 200 only for the POST the script is meant to send, with its body, type and key intact. */
    private static void answer(HttpExchange exchange) throws IOException {
        byte[] received = exchange.getRequestBody().readAllBytes();
        int status;
        if (!exchange.getRequestMethod().equals("POST")) {
            status = 405;
        } else if (new String(received, StandardCharsets.UTF_8).equals(BODY)
                && "application/json".equals(exchange.getRequestHeaders().getFirst("Content-Type"))
                && "Bearer k3y".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            status = 200;
        } else {
            status = 400;
        }
        byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    @Test
    void aMissingExecutableSaysHowToGetOne() {
        WrkLoadDriver driver = new WrkLoadDriver("/nonexistent/wrk", URI.create("http://127.0.0.1:1/"), null);
        assertThatThrownBy(() -> driver.drive(LoadScenario.get("get", "/"), 1, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("apt-get install wrk")
                .hasMessageContaining("--driver java");
    }

    @Test
    void readsTheScriptsResultLineAmongWrksOwnOutput() {
        LoadResult result = WrkLoadDriver.parse("""
                Running 1m test @ http://localhost:8080/api/v1/specializations
                  1 threads and 64 connections
                tailor-load requests=120000 duration_us=60000000 unexpected=3 socket_errors=2 p50_us=12500.0 \
                p90_us=20000.0 p99_us=45000.5 p999_us=90000.0 max_us=120000.0
                Requests/sec:   2000.00
                """);
        assertThat(result.requests()).isEqualTo(120_000);
        assertThat(result.errors()).isEqualTo(5);
        assertThat(result.requestsPerSecond()).isEqualTo(2000.0);
        assertThat(result.p50()).isEqualTo(12.5);
        assertThat(result.p99()).isEqualTo(45.0005);
        assertThat(result.max()).isEqualTo(120.0);
        assertThatThrownBy(() -> WrkLoadDriver.parse("Running 1m test\nsocket error"))
                .hasMessageContaining("no result line");
        assertThatThrownBy(() -> WrkLoadDriver.parse("tailor-load requests=5")).hasMessageContaining("no duration_us");
    }

    @Test
    void luaStringsEscapeQuotesBackslashesAndControlCharacters() {
        assertThat(WrkLoadDriver.luaString("a\"b\\c\nd")).isEqualTo("\"a\\\"b\\\\c\\010d\"");
    }
}
