package dev.tailor.catalogue;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Life of a training job. */
public enum JobState {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    @JsonValue
    public String wireName() {
        return LowerCaseEnums.wireName(this);
    }

    @JsonCreator
    public static JobState fromWire(String text) {
        return LowerCaseEnums.parse(JobState.class, text);
    }
}
