package dev.tailor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NativeStacksTest {

    /** Depth a 1 MiB stack cannot reach and 16 MiB can (a frame here is well over 64 bytes). */
    private static int depth(int n) {
        return n == 0 ? 0 : 1 + depth(n - 1);
    }

    @Test
    void theVerbThreadHasTheLargeStackAndHandsBackItsValueAndItsFailure() {
        assertThat(NativeStacks.call("deep", () -> depth(100_000))).isEqualTo(100_000);
        assertThatThrownBy(() -> NativeStacks.call("failing", () -> {
                    throw new IllegalArgumentException("--flag: bad");
                }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--flag: bad");
    }

    @Test
    void workerPoolThreadsHaveTheLargeStackAndDoNotHoldTheProcess() throws Exception {
        ExecutorService pool = NativeStacks.pool("test-worker", 1);
        try {
            assertThat(pool.submit(() -> depth(100_000)).get(30, TimeUnit.SECONDS))
                    .isEqualTo(100_000);
            assertThat(pool.submit(() -> Thread.currentThread().isDaemon()).get())
                    .isTrue();
            assertThat(pool.submit(() -> Thread.currentThread().getName()).get())
                    .isEqualTo("test-worker-1");
        } finally {
            pool.shutdownNow();
        }
    }
}
