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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeviceRefitsTest {

    @Test
    void refreshesRunOffTheCallerAndCoalesceWhileOneIsQueued() throws Exception {
        Device device = mock(Device.class);
        when(device.getId()).thenReturn(7L);
        when(device.getName()).thenReturn("pi");
        DeviceRepository devices = mock(DeviceRepository.class);
        when(devices.findById(7L)).thenReturn(Optional.of(device));
        DeviceLatencies latencies = mock(DeviceLatencies.class);
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch secondDone = new CountDownLatch(1);
        AtomicInteger refreshes = new AtomicInteger();
        when(latencies.refresh(any())).thenAnswer(call -> {
            if (refreshes.incrementAndGet() == 1) {
                firstStarted.countDown();
                releaseFirst.await();
            } else {
                secondDone.countDown();
            }
            return null;
        });
        DeviceRefits refits = new DeviceRefits(
                latencies,
                devices,
                org.mockito.Mockito.mock(
                        org.springframework.jdbc.core.simple.JdbcClient.class, org.mockito.Mockito.RETURNS_DEEP_STUBS),
                0);

        assertThat(refits.request(device)).isTrue();
        // the caller is not held by the refresh
        assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();
        // a measurement stored while a refresh runs needs another one; a third while that waits rides along
        assertThat(refits.request(device)).isTrue();
        assertThat(refits.request(device)).isFalse();
        releaseFirst.countDown();
        assertThat(secondDone.await(5, TimeUnit.SECONDS)).isTrue();
        refits.stop();
        assertThat(refreshes).hasValue(2);
    }
}
