package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.web.ErrorResponseException;

/** A refusal shared by identical requests is copied, so that each request's handler fills in its own. */
class ProblemsCopyTest {

    @Test
    void aCopySaysTheSameWithItsOwnBodyAndHeaders() {
        ErrorResponseException refused =
                Problems.unavailable("2 searches for new budgets are running", 2, Map.of("runningSearches", 2));

        ErrorResponseException copy = Problems.copy(refused);
        copy.getBody().setInstance(java.net.URI.create("/api/v1/specializations"));
        copy.getBody().setProperty("incident", "x");

        assertThat(copy.getStatusCode()).isEqualTo(refused.getStatusCode());
        assertThat(copy.getBody().getType()).isEqualTo(Problems.UNAVAILABLE);
        assertThat(copy.getBody().getTitle()).isEqualTo(refused.getBody().getTitle());
        assertThat(copy.getBody().getDetail()).isEqualTo("2 searches for new budgets are running");
        assertThat(copy.getBody().getProperties()).containsEntry("runningSearches", 2);
        assertThat(copy.getHeaders().getFirst("Retry-After")).isEqualTo("2");
        // the original is untouched by what the copy's handler added
        assertThat(refused.getBody().getInstance()).isNull();
        assertThat(refused.getBody().getProperties()).doesNotContainKey("incident");
    }
}
