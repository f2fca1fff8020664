package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.catalina.connector.ClientAbortException;
import org.junit.jupiter.api.Test;

class ApiProblemHandlerTest {

    private final ApiProblemHandler handler = new ApiProblemHandler(new DatabaseOutage(null));

    @Test
    void aClientThatLeftMidDownloadIsNoIncidentAndGetsNoErrorWrittenOverItsResponse() {
        assertThat(handler.handleUnexpected(new ClientAbortException(new IOException("Broken pipe"))))
                .isNull();
    }

    @Test
    void anythingElseUnexpectedIsA500NamingItsIncident() {
        var response = handler.handleUnexpected(new IllegalStateException("a bug"));
        assertThat(response.getStatusCode().value()).isEqualTo(500);
        assertThat(response.getBody().toString()).contains("incident");
    }
}
