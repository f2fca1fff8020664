package dev.tailor.catalogue;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** API spelling of the catalogue's enums: lower case on the wire, any case accepted. */
final class LowerCaseEnums {

    private LowerCaseEnums() {}

    static String wireName(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    static <E extends Enum<E>> E parse(Class<E> type, String text) {
        for (E value : type.getEnumConstants()) {
            if (value.name().equalsIgnoreCase(text)) {
                return value;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not one of " + allowed(type));
    }

    static String allowed(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants())
                .map(LowerCaseEnums::wireName)
                .collect(Collectors.joining(", "));
    }
}
