package dev.tailor.specialize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;

import dev.tailor.export.SubnetExporter;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.ErrorResponseException;

/** A worker without the supernet's dataset cannot export now; the request is fine and is asked again. */
class ExportDatasetUnavailableTest {

    /** Enough of a database for db-scheduler's client to tell it is PostgreSQL; nothing is queried. */
    private static DataSource postgres() throws Exception {
        java.sql.DatabaseMetaData metadata = mock(java.sql.DatabaseMetaData.class);
        org.mockito.Mockito.when(metadata.getDatabaseProductName()).thenReturn("PostgreSQL");
        java.sql.Connection connection = mock(java.sql.Connection.class);
        org.mockito.Mockito.when(connection.getMetaData()).thenReturn(metadata);
        DataSource dataSource = mock(DataSource.class);
        org.mockito.Mockito.when(dataSource.getConnection()).thenReturn(connection);
        return dataSource;
    }

    @Test
    void aWorkerWithoutTheDatasetAnswers503WithRetryAfterNot409() throws Exception {
        PickExporter exporter = mock(PickExporter.class);
        doThrow(new SubnetExporter.DatasetUnavailableException(
                        "the supernet's training dataset cannot be read: no directory /data/fashion-mnist"))
                .when(exporter)
                .exportAndStore(any(), any());
        SpecializationExports exports = new SpecializationExports(
                exporter,
                mock(JdbcClient.class),
                postgres(),
                false,
                "inline",
                Duration.ofSeconds(5),
                Duration.ofSeconds(2),
                20);

        // it was a 409 "cannot be exported" naming the supernet: a client would change a request that was right
        assertThatThrownBy(() -> exports.exportAndWait(mock(PendingExport.class)))
                .isInstanceOfSatisfying(ErrorResponseException.class, e -> {
                    assertThat(e.getStatusCode().value()).isEqualTo(503);
                    assertThat(e.getHeaders().getFirst("Retry-After"))
                            .isEqualTo(String.valueOf(SpecializationExports.DATASET_RETRY_SECONDS));
                    assertThat(e.getBody().getDetail())
                            .contains("waits for a worker that can read the supernet's dataset")
                            .contains("/data/fashion-mnist");
                });
    }
}
