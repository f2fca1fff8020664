package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * A method an endpoint does not serve is a 405 naming the ones it does, whoever asks: not a 401 or
 * 403 telling a keyless or viewer caller to get an operator key for something no key can do. A
 * method it does serve is still decided by the key.
 */
class MethodNotAllowedTest extends ApiTestSupport {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "PUT, /api/v1/specializations, 405, POST",
        "DELETE, /api/v1/specializations, 405, POST",
        "PATCH, /api/v1/devices, 405, POST",
        "DELETE, /api/v1/supernets/00000000-0000-0000-0000-000000000000, 405, GET",
        // served methods and unknown paths: the key decides, as before
        "POST, /api/v1/devices, 401, ''",
        "PUT, /api/v1/nothing-here, 401, ''"
    })
    void aMethodNoEndpointServesIsA405ForAnyCaller(String method, String path, int status, String allowed) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString("{}"))
                .build());
        JsonNode problem = problem(response, status);
        assertThat(problem.path("type").asString()).startsWith("urn:tailor:problem:");
        if (!allowed.isEmpty()) {
            assertThat(response.headers().firstValue("Allow"))
                    .hasValueSatisfying(allow -> assertThat(allow).contains(allowed));
        }
    }

    @Test
    void anUnknownPathIsTheApisOwnNotFoundNamingWhereTheEndpointsAreListed() {
        JsonNode problem = problem(get("/api/v1/nothing-here"), 404);
        assertThat(problem.path("type").asString()).isEqualTo("urn:tailor:problem:not-found");
        assertThat(problem.path("detail").asString())
                .contains("/api/v1/nothing-here")
                .contains("/v3/api-docs");
    }

    @Test
    void anAcceptTheEndpointCannotAnswerIsA406ProblemBody() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/v1/supernets"))
                .header("Accept", "text/html")
                .GET()
                .build());
        JsonNode problem = problem(response, 406);
        assertThat(problem.path("type").asString()).isEqualTo("urn:tailor:problem:not-acceptable");
    }

    @Test
    void anAcceptThatIsNoMediaTypeIsAProblemBodyToo() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/v1/supernets"))
                .header("Accept", "json")
                .GET()
                .build());
        JsonNode problem = problem(response, 400);
        assertThat(problem.path("errors").get(0).path("field").asString()).isEqualTo("Accept");
    }
}
