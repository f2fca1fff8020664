package dev.tailor.security;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What an API key may do. An operator may do everything a viewer may; an agent only its device's work. */
public enum Role {
    /** reads, and asking for specializations (what CI pipelines do) */
    VIEWER,
    /** reads, plus training, catalogue builds, devices, agent tokens and keys */
    OPERATOR,
    /** one device's measurement tasks and measurements, and the models those tasks name */
    AGENT;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Role fromWire(String text) {
        for (Role role : values()) {
            if (role.name().equalsIgnoreCase(text)) {
                return role;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a role; use one of " + allowed());
    }

    static String allowed() {
        return Arrays.stream(values()).map(Role::wireName).collect(Collectors.joining(", "));
    }

    /** Whether a key with this role may do what {@code needed} may. */
    boolean covers(Role needed) {
        return this == needed || (this == OPERATOR && needed == VIEWER);
    }
}
