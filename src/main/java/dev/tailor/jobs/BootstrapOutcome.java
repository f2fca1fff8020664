package dev.tailor.jobs;

import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Why this process could not queue the first training run of an empty catalogue, if it could not (no
 * dataset where it looked, most often): a 503 that promised a run is coming would be waited on for good.
 */
@Component
public class BootstrapOutcome {

    private volatile String refusal;

    /** The reason this process's bootstrap queued nothing; empty when it queued a run, or never ran. */
    public Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    public void refused(String reason) {
        refusal = reason;
    }

    public void queued() {
        refusal = null;
    }
}
