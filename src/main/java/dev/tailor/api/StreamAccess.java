package dev.tailor.api;

import java.util.function.BooleanSupplier;

/**
 * Whether the caller that opened a progress stream may still read it: a key revoked while its stream
 * is open must stop getting events, as its next request would be refused. Implemented where the
 * keys are (security); without it, a stream is read to its end.
 */
public interface StreamAccess {

    /** Asked on the request's thread when the stream opens; the answer is asked again now and then. */
    BooleanSupplier forCurrentCaller();
}
