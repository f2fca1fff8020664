package dev.tailor.catalogue;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where a latency figure comes from; a response always says which. */
public enum LatencySource {
    MEASURED,
    PREDICTED,
    ESTIMATED;

    @JsonValue
    public String wireName() {
        return LowerCaseEnums.wireName(this);
    }

    @JsonCreator
    public static LatencySource fromWire(String text) {
        return LowerCaseEnums.parse(LatencySource.class, text);
    }
}
