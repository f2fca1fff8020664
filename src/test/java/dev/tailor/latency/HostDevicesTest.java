package dev.tailor.latency;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.tailor.catalogue.DeviceRepository;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;

class HostDevicesTest {

    /**
     * A one-shot verb's context reports ready after its work: when the database it shared went away
     * meanwhile (the process that ran it stopped), the verb has said so and must not end in a stack trace.
     */
    @Test
    void registeringThisHostWithoutADatabaseIsLoggedNotThrown() {
        DeviceRepository devices = mock(DeviceRepository.class);
        when(devices.findByName(any()))
                .thenThrow(new DataAccessResourceFailureException("Unable to acquire JDBC Connection"));
        HostDevices hosts = new HostDevices(devices);

        assertThatCode(hosts::registerThisHost).doesNotThrowAnyException();
    }
}
