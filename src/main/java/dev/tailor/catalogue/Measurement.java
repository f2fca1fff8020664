package dev.tailor.catalogue;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How a device's latencies are obtained: on the service's own host, by device agents, or not at all (roofline estimates only). */
public enum Measurement {
    HOST,
    AGENT,
    NONE;

    @JsonValue
    public String wireName() {
        return LowerCaseEnums.wireName(this);
    }

    @JsonCreator
    public static Measurement fromWire(String text) {
        return LowerCaseEnums.parse(Measurement.class, text);
    }
}
