package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

class ProgressEventsTest {

    /** An emitter whose client can leave: every write after that fails, as a closed socket's does. */
    static final class LeavingClient extends SseEmitter {
        volatile boolean gone;
        final AtomicInteger writes = new AtomicInteger();

        @Override
        public void send(SseEventBuilder builder) throws IOException {
            if (gone) {
                throw new IOException("Broken pipe");
            }
            writes.incrementAndGet();
            super.send(builder);
        }
    }

    @Test
    void anIdleStreamWhoseClientLeftStopsPollingAtItsNextHeartbeat() throws Exception {
        List<LeavingClient> clients = new ArrayList<>();
        ProgressEvents events = new ProgressEvents(Duration.ofMillis(100), 10, () -> {
            LeavingClient client = new LeavingClient();
            clients.add(client);
            return client;
        });
        AtomicInteger polls = new AtomicInteger();
        // a queued job: its state never changes, so nothing but the heartbeat writes to the client
        events.stream(
                () -> {
                    polls.incrementAndGet();
                    return "queued";
                },
                state -> false);
        waitUntil(() -> clients.get(0).writes.get() >= 2, "the first event and a heartbeat");
        assertThat(events.openStreams()).isEqualTo(1);

        clients.get(0).gone = true;
        waitUntil(() -> events.openStreams() == 0, "the stream to close after its client left");
        int pollsWhenClosed = polls.get();
        Thread.sleep(2_500);
        assertThat(polls.get()).as("polls after the stream closed").isLessThanOrEqualTo(pollsWhenClosed + 1);
    }

    @Test
    void aStreamPastTheCapIsRefusedWith503AndRetryAfterAndAClosedOneFreesItsPlace() throws Exception {
        ProgressEvents events = new ProgressEvents(Duration.ofSeconds(15), 2, LeavingClient::new);
        events.stream(() -> "queued", state -> false);
        events.stream(() -> "queued", state -> false);

        assertThatThrownBy(() -> events.stream(() -> "queued", state -> false))
                .isInstanceOfSatisfying(ErrorResponseException.class, e -> {
                    assertThat(e.getStatusCode().value()).isEqualTo(503);
                    assertThat(e.getHeaders().getFirst("Retry-After")).isNotBlank();
                    assertThat(e.getBody().getDetail()).contains("tailor.events.max-streams");
                });
        assertThat(events.openStreams()).isEqualTo(2);

        // a finished job ends its stream, and its place is free again
        ProgressEvents finishing = new ProgressEvents(Duration.ofSeconds(15), 1, LeavingClient::new);
        finishing.stream(() -> "succeeded", "succeeded"::equals);
        waitUntil(() -> finishing.openStreams() == 0, "a finished job's stream to end");
        finishing.stream(() -> "queued", state -> false);
        assertThat(finishing.openStreams()).isEqualTo(1);
    }

    /** An emitter that says whether the service ended its response. */
    static final class EndedResponse extends SseEmitter {
        volatile boolean completed;

        @Override
        public void complete() {
            completed = true;
            super.complete();
        }

        @Override
        public void completeWithError(Throwable ex) {
            completed = true;
            super.completeWithError(ex);
        }
    }

    @Test
    void aStreamWhoseWorkCanNoLongerBeReadEndsItsResponseAndFreesItsPlace() throws Exception {
        List<EndedResponse> clients = new ArrayList<>();
        ProgressEvents events = new ProgressEvents(Duration.ofSeconds(15), 10, () -> {
            EndedResponse client = new EndedResponse();
            clients.add(client);
            return client;
        });
        AtomicInteger polls = new AtomicInteger();
        events.stream(
                () -> {
                    if (polls.incrementAndGet() > 1) {
                        throw new IllegalStateException("the database cannot be reached");
                    }
                    return "running";
                },
                state -> false);
        waitUntil(() -> events.openStreams() == 0, "the stream to close when its state cannot be read");
        assertThat(clients.get(0).completed)
                .as("the client's response ended, not left open until the emitter's timeout")
                .isTrue();
    }

    @Test
    void aStreamWhoseKeyIsRevokedEndsInsteadOfRunningToItsEnd() throws Exception {
        List<EndedResponse> clients = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean keyHolds = new java.util.concurrent.atomic.AtomicBoolean(true);
        ProgressEvents events = new ProgressEvents(
                Duration.ofSeconds(15),
                10,
                () -> {
                    EndedResponse client = new EndedResponse();
                    clients.add(client);
                    return client;
                },
                () -> keyHolds::get);
        events.stream(() -> "running", state -> false);
        Thread.sleep(ProgressEvents.ACCESS_CHECK_NANOS / 1_000_000 + 500);
        assertThat(events.openStreams()).as("a key that holds keeps its stream").isEqualTo(1);

        keyHolds.set(false);
        waitUntil(() -> events.openStreams() == 0, "the stream to end once its key was revoked");
        assertThat(clients.get(0).completed).isTrue();
    }

    @Test
    void aHeadGetsTheStreamsHeadersAndTakesNoSlot() {
        List<EndedResponse> clients = new ArrayList<>();
        ProgressEvents events = new ProgressEvents(Duration.ofSeconds(15), 1, () -> {
            EndedResponse client = new EndedResponse();
            clients.add(client);
            return client;
        });
        RequestContextHolder.setRequestAttributes(
                new ServletRequestAttributes(new MockHttpServletRequest("HEAD", "/api/v1/training-jobs/x/events")));
        try {
            AtomicInteger polls = new AtomicInteger();
            for (int i = 0; i < 3; i++) {
                events.stream(() -> "running" + polls.incrementAndGet(), state -> false);
            }
            assertThat(events.openStreams()).isZero();
            assertThat(clients)
                    .allSatisfy(client -> assertThat(client.completed).isTrue());
            assertThat(polls).hasValue(0);
        } finally {
            RequestContextHolder.resetRequestAttributes();
        }
    }

    @Test
    void settingsThatCannotWorkAreRefusedNamingTheProperty() {
        assertThatThrownBy(() -> new ProgressEvents(Duration.ZERO, 10, SseEmitter::new))
                .hasMessageContaining("tailor.events.heartbeat");
        assertThatThrownBy(() -> new ProgressEvents(Duration.ofSeconds(1), 0, SseEmitter::new))
                .hasMessageContaining("tailor.events.max-streams");
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
