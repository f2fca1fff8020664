package dev.tailor.specialize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RecentLookupsTest {

    @Test
    void aLookupIsReusedWhileFreshAndAFailureIsNeverKept() {
        RecentLookups recent = new RecentLookups();
        AtomicInteger calls = new AtomicInteger();
        assertThat(recent.<Integer>fresh("k", calls::incrementAndGet)).isEqualTo(1);
        assertThat(recent.<Integer>fresh("k", calls::incrementAndGet)).isEqualTo(1);
        assertThat(calls).hasValue(1);

        assertThatThrownBy(() -> recent.fresh("failing", () -> {
                    throw new IllegalStateException("not ready");
                }))
                .hasMessage("not ready");
        assertThat(recent.<String>fresh("failing", () -> "ready now")).isEqualTo("ready now");
    }

    @Test
    void storedAnswersAreKeptAndMissesAreAskedAgain() {
        RecentLookups recent = new RecentLookups();
        AtomicInteger asked = new AtomicInteger();
        assertThat(recent.answer("a", () -> {
                    asked.incrementAndGet();
                    return Optional.empty();
                }))
                .isEmpty();
        assertThat(recent.answer("a", () -> {
                    asked.incrementAndGet();
                    return Optional.empty();
                }))
                .isEmpty();
        assertThat(asked).hasValue(2);
    }

    @Test
    void aRefreshLooksUpNowAndIsRememberedAfterwards() {
        RecentLookups recent = new RecentLookups();
        assertThat(recent.<String>fresh("k", () -> "old")).isEqualTo("old");
        assertThat(recent.<String>refresh("k", () -> "new")).isEqualTo("new");
        assertThat(recent.<String>fresh("k", () -> "newer")).isEqualTo("new");
    }

    @Test
    void lookupsPastTheirTimeAreDroppedEvenIfNobodyAsksForThemAgain() throws InterruptedException {
        RecentLookups recent = new RecentLookups();
        recent.fresh("serving:a supernet nobody names any more", () -> "its predictor");
        Thread.sleep(RecentLookups.FRESH_NANOS / 1_000_000 + 100);
        recent.fresh("serving:the current one", () -> "its predictor");
        recent.fresh("device:host-cpu", () -> "the device");
        assertThat(recent.heldLookups()).isEqualTo(2);
    }

    /**
     * A host-cpu answer timed in a slow episode is timed again and rewritten in place: a replica that kept
     * the first figure for good answered with it while the stored answer and the Pareto plot said otherwise.
     */
    @Test
    void aStoredAnswerIsReadAgainOnceItsTimeIsPast() throws InterruptedException {
        RecentLookups recent = new RecentLookups(1_000_000_000L);
        SpecializationResponse slow = org.mockito.Mockito.mock(SpecializationResponse.class);
        SpecializationResponse retimed = org.mockito.Mockito.mock(SpecializationResponse.class);
        assertThat(recent.answer("k", () -> Optional.of(slow))).contains(slow);
        assertThat(recent.answer("k", () -> Optional.of(retimed)))
                .as("kept while fresh")
                .contains(slow);
        Thread.sleep(1_200);
        assertThat(recent.answer("k", () -> Optional.of(retimed))).contains(retimed);
        assertThat(RecentLookups.ANSWER_FRESH_NANOS).isEqualTo(60_000_000_000L);
    }
}
