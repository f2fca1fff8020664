package dev.tailor.specialize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import com.github.kagkarlsson.scheduler.task.Execution;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.ExecutionOperations;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import tools.jackson.databind.json.JsonMapper;

/**
 * Which failures of an export job count towards giving it up. db-scheduler counts every failed run
 * (a hand-back by a stopping worker, the database away for a few seconds); only the export's own
 * failures may end it with a stored failure, which the client reads as "cannot be exported".
 */
class ExportFailuresTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String KEY = "a".repeat(64);

    private final PickExporter exporter = mock(PickExporter.class);
    private final List<String> answered = new ArrayList<>();

    @SuppressWarnings("unchecked")
    private final ExecutionOperations<String> operations = mock(ExecutionOperations.class);

    @Test
    void anUnforeseenErrorAfterTwoHandBacksIsTriedAgainNotGivenUp() {
        // two stops of the worker each handed the job back: db-scheduler's count is 2 before this failure
        failure(handler(false), pending(0), 2, new IllegalStateException("ONNX Runtime said no"));

        ArgumentCaptor<String> data = ArgumentCaptor.forClass(String.class);
        verify(operations).reschedule(any(), any(), data.capture());
        verify(operations, never()).stop();
        verify(exporter, never()).recordFailure(anyString(), anyString(), anyString());
        assertThat(JSON.readValue(data.getValue(), PendingExport.class).failedAttempts())
                .isEqualTo(1);
        assertThat(answered).isEmpty();
    }

    @Test
    void theDatabaseAwayNeverCountsAndNeverStoresAFailure() {
        SQLException refused = new SQLException("Connection refused", "08001");
        failure(handler(false), pending(2), 7, new RuntimeException("could not store the answer", refused));

        ArgumentCaptor<Instant> due = ArgumentCaptor.forClass(Instant.class);
        verify(operations).reschedule(any(), due.capture());
        verify(operations, never()).stop();
        verify(exporter, never()).recordFailure(anyString(), anyString(), anyString());
        assertThat(Duration.between(Instant.now(), due.getValue()))
                .isBetween(Duration.ofSeconds(30), Duration.ofMinutes(1));
    }

    @Test
    void aStoppingProcessHandsTheExportBackWithoutCounting() {
        failure(handler(true), pending(2), 5, new IllegalStateException("session closed"));

        verify(operations).reschedule(any(), any(Instant.class));
        verify(operations, never()).stop();
        verify(exporter, never()).recordFailure(anyString(), anyString(), anyString());
    }

    @Test
    void theThirdOwnFailureIsStoredAndWaitingRequestsAreTold() {
        failure(handler(false), pending(2), 2, new IllegalStateException("ONNX Runtime said no"));

        // stored as the service's failure: it was a 409 naming the supernet, for a request that was right
        verify(exporter)
                .recordFailure(
                        eq(KEY),
                        eq(SpecializationExports.EXPORT_FAILED),
                        org.mockito.ArgumentMatchers.contains("3 times"));
        org.springframework.web.ErrorResponseException waited =
                SpecializationExports.problem(SpecializationExports.EXPORT_FAILED, "it failed 3 times; last: x");
        org.assertj.core.api.Assertions.assertThat(waited.getStatusCode().value())
                .isEqualTo(500);
        org.assertj.core.api.Assertions.assertThat(waited.getBody().getType())
                .isEqualTo(dev.tailor.api.Problems.INTERNAL);
        org.assertj.core.api.Assertions.assertThat(waited.getBody().getProperties())
                .containsKey("incident");
        org.assertj.core.api.Assertions.assertThat(SpecializationExports.problem("budget", "no")
                        .getStatusCode()
                        .value())
                .isEqualTo(409);
        verify(operations).stop();
        assertThat(answered).containsExactly(KEY);
    }

    @Test
    void waitsGrowAndOutagesWaitAtMostAMinute() {
        assertThat(ExportFailures.ownFailureWait(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(ExportFailures.ownFailureWait(2)).isEqualTo(Duration.ofSeconds(4));
        assertThat(ExportFailures.outageWait(0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(ExportFailures.outageWait(100)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aJobQueuedBeforeTheCountWasKeptReadsAsNoFailures() {
        String old = JSON.writeValueAsString(pending(0)).replace(",\"failedAttempts\":0", "");
        assertThat(old).doesNotContain("failedAttempts");
        assertThat(JSON.readValue(old, PendingExport.class).failedAttempts()).isZero();
    }

    private ExportFailures handler(boolean stopping) {
        return new ExportFailures(exporter, mock(DataSource.class), () -> stopping, answered::add);
    }

    private void failure(ExportFailures handler, PendingExport pending, int failuresBefore, Throwable cause) {
        TaskInstance<String> instance =
                new TaskInstance<>(SpecializationExports.TASK, KEY, JSON.writeValueAsString(pending));
        Execution execution = new Execution(
                Instant.now(), instance, true, "worker", null, Instant.now(), failuresBefore, Instant.now(), 1);
        ExecutionComplete complete = ExecutionComplete.failure(execution, Instant.now(), Instant.now(), cause);
        handler.onFailure(complete, operations);
    }

    private static PendingExport pending(int failedAttempts) {
        return new PendingExport(
                KEY,
                UUID.randomUUID(),
                1,
                "host-cpu",
                new SpecializationResponse.Budget(null, 1_000_000L, null, null, null, "accuracy"),
                "{}",
                0.9,
                "macs",
                null,
                false,
                null,
                0,
                0,
                failedAttempts);
    }
}
