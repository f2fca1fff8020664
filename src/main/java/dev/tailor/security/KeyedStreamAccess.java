package dev.tailor.security;

import dev.tailor.api.StreamAccess;
import java.util.function.BooleanSupplier;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * A progress stream opened with a key holds while the key does: revoking it ends the stream within
 * {@code ProgressEvents.ACCESS_CHECK_NANOS} (it went on for up to an hour). Streams opened without a
 * key (open reads) are read to their end.
 */
@Component
class KeyedStreamAccess implements StreamAccess {

    private final ApiKeys keys;

    KeyedStreamAccess(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public BooleanSupplier forCurrentCaller() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication != null && authentication.getPrincipal() instanceof Caller caller) {
            long keyId = caller.keyId();
            return () -> keys.isActive(keyId);
        }
        return () -> true;
    }
}
