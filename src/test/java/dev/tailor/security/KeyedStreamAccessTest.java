package dev.tailor.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextImpl;

/** A progress stream opened with a key asks about that key; one opened without a key reads to its end. */
class KeyedStreamAccessTest {

    @AfterEach
    void clear() {
        SecurityContextHolder.clearContext();
    }

    @Test
    void aStreamOpenedWithAKeyHoldsWhileTheKeyDoes() {
        ApiKeys keys = mock(ApiKeys.class);
        when(keys.isActive(42L)).thenReturn(true, false);
        SecurityContextHolder.setContext(
                new SecurityContextImpl(new ApiKeyAuthentication(new Caller(42L, "ci", Role.VIEWER, null))));

        BooleanSupplier allowed = new KeyedStreamAccess(keys).forCurrentCaller();
        // asked later, on the poller's thread, where there is no security context
        SecurityContextHolder.clearContext();

        assertThat(allowed.getAsBoolean()).isTrue();
        assertThat(allowed.getAsBoolean()).as("after the key was revoked").isFalse();
    }

    @Test
    void aStreamOpenedWithoutAKeyIsNotCutShort() {
        assertThat(new KeyedStreamAccess(mock(ApiKeys.class)).forCurrentCaller().getAsBoolean())
                .isTrue();
    }
}
