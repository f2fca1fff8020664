package dev.tailor.catalogue;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Which part of a dataset an evaluation used: validation chooses, test only reports. */
public enum Split {
    TRAIN,
    VALIDATION,
    TEST;

    @JsonValue
    public String wireName() {
        return LowerCaseEnums.wireName(this);
    }

    @JsonCreator
    public static Split fromWire(String text) {
        return LowerCaseEnums.parse(Split.class, text);
    }
}
