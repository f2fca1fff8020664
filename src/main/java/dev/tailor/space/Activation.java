package dev.tailor.space;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The two activations of MobileNetV3-style stages. */
public enum Activation {
    RELU,
    HSWISH;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Activation fromWire(String text) {
        for (Activation activation : values()) {
            if (activation.name().equalsIgnoreCase(text) || activation.name().equalsIgnoreCase(text.replace("-", ""))) {
                return activation;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not an activation; use relu or hswish");
    }
}
