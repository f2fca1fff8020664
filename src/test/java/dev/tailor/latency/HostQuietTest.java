package dev.tailor.latency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HostQuietTest {

    private final HostQuiet quiet = new HostQuiet();

    @Test
    void aTimingWaitsForTheHeavyWorkUnderWayAndHeavyWorkWaitsForATiming() throws Exception {
        CountDownLatch heavyStarted = new CountDownLatch(1);
        CountDownLatch releaseHeavy = new CountDownLatch(1);
        Thread heavy = new Thread(() -> quiet.heavy(() -> {
            heavyStarted.countDown();
            await(releaseHeavy);
            return null;
        }));
        heavy.start();
        heavyStarted.await();
        AtomicBoolean timed = new AtomicBoolean();
        Thread timing = new Thread(() -> quiet.timing(() -> {
            timed.set(true);
            return null;
        }));
        timing.start();
        timing.join(300);
        assertThat(timed).as("timed beside heavy work").isFalse();
        releaseHeavy.countDown();
        timing.join();
        assertThat(timed).isTrue();

        CountDownLatch timingStarted = new CountDownLatch(1);
        CountDownLatch releaseTiming = new CountDownLatch(1);
        Thread holder = new Thread(() -> quiet.timing(() -> {
            timingStarted.countDown();
            await(releaseTiming);
            return null;
        }));
        holder.start();
        timingStarted.await();
        AtomicBoolean worked = new AtomicBoolean();
        Thread work = new Thread(() -> quiet.heavy(() -> {
            worked.set(true);
            return null;
        }));
        work.start();
        work.join(300);
        assertThat(worked).as("heavy work during a timing").isFalse();
        releaseTiming.countDown();
        work.join();
        assertThat(worked).isTrue();
        heavy.join();
        holder.join();
    }

    @Test
    void heavyWorkRunsSideBySide() throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        Runnable unit = () -> quiet.heavy(() -> {
            both.countDown();
            await(both);
            return null;
        });
        Thread one = new Thread(unit);
        Thread other = new Thread(unit);
        one.start();
        other.start();
        one.join(5_000);
        other.join(5_000);
        assertThat(one.isAlive() || other.isAlive())
                .as("two heavy units blocked each other")
                .isFalse();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
