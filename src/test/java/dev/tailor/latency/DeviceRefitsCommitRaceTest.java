package dev.tailor.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.DeviceRepository;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A measurement posted while a refresh is queued, whose transaction commits only after that refresh began
 * reading, still gets a refresh that reads it: riding along is decided at the commit, not before.
 */
class DeviceRefitsCommitRaceTest {

    @Test
    void aMeasurementCommittedAfterTheCoalescedRefreshBeganGetsARefreshOfItsOwn() throws Exception {
        Device device = mock(Device.class);
        when(device.getId()).thenReturn(7L);
        when(device.getName()).thenReturn("pi");
        DeviceRepository devices = mock(DeviceRepository.class);
        when(devices.findById(7L)).thenReturn(Optional.of(device));
        DeviceLatencies latencies = mock(DeviceLatencies.class);

        AtomicBoolean bCommitted = new AtomicBoolean();
        CountDownLatch aRefreshSawB = new CountDownLatch(1);
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch secondStarted = new CountDownLatch(1);
        CountDownLatch releaseSecond = new CountDownLatch(1);
        int[] calls = {0};
        when(latencies.refresh(any())).thenAnswer(call -> {
            int n;
            synchronized (calls) {
                n = ++calls[0];
            }
            // what a refresh reads is what was committed when it began
            boolean sawB = bCommitted.get();
            if (n == 1) {
                firstRunning.countDown();
                releaseFirst.await();
            } else if (n == 2) {
                secondStarted.countDown();
                releaseSecond.await();
            }
            if (sawB) {
                aRefreshSawB.countDown();
            }
            return null;
        });
        DeviceRefits refits = new DeviceRefits(
                latencies,
                devices,
                org.mockito.Mockito.mock(
                        org.springframework.jdbc.core.simple.JdbcClient.class, org.mockito.Mockito.RETURNS_DEEP_STUBS),
                0);

        // refresh 1 runs (the worker is busy); measurement A queues refresh 2
        refits.request(device);
        assertThat(firstRunning.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(refits.request(device)).isTrue();

        // measurement B's transaction: request() inside it coalesces into the queued refresh 2
        TransactionSynchronizationManager.initSynchronization();
        try {
            assertThat(refits.request(device)).isFalse();
            // refresh 2 begins (and reads) before B commits
            releaseFirst.countDown();
            assertThat(secondStarted.await(5, TimeUnit.SECONDS)).isTrue();
            // B commits now
            bCommitted.set(true);
            for (TransactionSynchronization s : TransactionSynchronizationManager.getSynchronizations()) {
                s.afterCompletion(TransactionSynchronization.STATUS_COMMITTED);
            }
        } finally {
            TransactionSynchronizationManager.clearSynchronization();
        }
        releaseSecond.countDown();
        assertThat(aRefreshSawB.await(5, TimeUnit.SECONDS))
                .as("no refresh ever read measurement B")
                .isTrue();
        refits.stop();
    }
}
