package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.security.TestKeys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole service on a random port over the embedded PostgreSQL (a real server, a fresh data
 * directory under target/test-home each run), called over real HTTP. Every API test shares this one context.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false"
        })
abstract class ApiTestSupport {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    URI uri(String pathAndQuery) {
        return URI.create("http://localhost:" + port + pathAndQuery);
    }

    /** A read with no key: reads are open in the tests' (the default) configuration. */
    HttpResponse<String> get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET().build());
    }

    HttpResponse<String> getAs(String key, String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery))
                .header("Authorization", "Bearer " + key)
                .GET()
                .build());
    }

    /** A write with the operator key. */
    HttpResponse<String> postJson(String path, String body) {
        return postJsonAs(TestKeys.OPERATOR, path, body);
    }

    /** A write with the given key, or none when it is null. */
    HttpResponse<String> postJsonAs(String key, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json");
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode body(HttpResponse<String> response) {
        return json.readTree(response.body());
    }

    /** Asserts an RFC 9457 body and returns it. */
    JsonNode problem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = body(response);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asString()).isNotBlank();
        assertThat(problem.path("detail").asString()).isNotBlank();
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        return problem;
    }
}
