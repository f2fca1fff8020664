package dev.tailor.catalogue;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Life of a supernet: training, ready to serve subnets, or failed. */
public enum SupernetState {
    TRAINING,
    READY,
    FAILED;

    @JsonValue
    public String wireName() {
        return LowerCaseEnums.wireName(this);
    }

    @JsonCreator
    public static SupernetState fromWire(String text) {
        return LowerCaseEnums.parse(SupernetState.class, text);
    }
}
