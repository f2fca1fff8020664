package dev.tailor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class PeriodicWorkTest {

    @Test
    void aFailedPassIsLoggedAndTheNextOneStillComesOnALargeStack() throws Exception {
        AtomicInteger passes = new AtomicInteger();
        AtomicReference<String> thread = new AtomicReference<>();
        CountDownLatch second = new CountDownLatch(2);
        PeriodicWork work = new PeriodicWork(
                "periodic-test",
                "test.interval-seconds",
                1,
                0,
                () -> {
                    thread.set(Thread.currentThread().getName());
                    second.countDown();
                    if (passes.incrementAndGet() == 1) {
                        throw new IllegalStateException("the database is away");
                    }
                },
                LoggerFactory.getLogger(PeriodicWorkTest.class));
        work.start();
        work.start(); // a second start schedules nothing more
        try {
            assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            work.stop();
        }
        assertThat(thread.get()).startsWith("periodic-test-");
        Thread.sleep(200); // a pass under way when stopped ends
        int after = passes.get();
        Thread.sleep(1500);
        assertThat(passes.get()).as("no pass after stop").isEqualTo(after);
    }

    @Test
    void anIntervalOfZeroNeverRunsAndANegativeOneIsRefusedByItsSetting() throws Exception {
        AtomicInteger passes = new AtomicInteger();
        PeriodicWork off = new PeriodicWork(
                "off", "test.interval-seconds", 0, 0, passes::incrementAndGet, LoggerFactory.getLogger("test"));
        off.start();
        Thread.sleep(200);
        off.stop();
        assertThat(passes).hasValue(0);
        assertThatThrownBy(() -> new PeriodicWork(
                        "bad",
                        "test.interval-seconds",
                        -1,
                        0,
                        passes::incrementAndGet,
                        LoggerFactory.getLogger("test")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("test.interval-seconds")
                .hasMessageContaining("-1");
    }
}
