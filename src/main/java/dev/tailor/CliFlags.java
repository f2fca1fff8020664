package dev.tailor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The flags of a verb: {@code --name value} or {@code --name=value} pairs (or {@code -o value}),
 * each known to the verb and given once. Spring's own options ({@code --spring.*}, {@code
 * --tailor.*}, {@code --server.*}, {@code --logging.*}) pass through untouched. A mistake is an
 * {@link IllegalArgumentException} naming the flag.
 */
public final class CliFlags {

    private CliFlags() {}

    private static final List<String> SPRING_OPTIONS = List.of("--spring.", "--tailor.", "--server.", "--logging.");

    /**
     * @param known the flags the verb takes, without dashes
     * @param switches the known flags that take no value (their value is "true")
     */
    public static Map<String, String> parse(String[] args, Set<String> known, Set<String> switches) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (isSpringOption(arg)) {
                continue;
            }
            String name = arg.replaceFirst("^--?", "");
            String value = null;
            int equals = name.indexOf('=');
            if (arg.startsWith("--") && equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            if (!arg.startsWith("-") || !known.contains(name)) {
                throw new IllegalArgumentException(
                        arg.startsWith("-") ? "unknown flag --" + name : "unexpected argument '" + arg + "'");
            }
            if (switches.contains(name)) {
                if (value != null) {
                    throw new IllegalArgumentException("--" + name + " takes no value");
                }
                value = "true";
            } else if (value == null) {
                // a flag's value never starts with "--": "--epochs --lr 0.1" lacks the epochs
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                value = args[++i];
            }
            if (flags.put(name, value) != null) {
                throw new IllegalArgumentException("--" + name + " is given twice");
            }
        }
        return flags;
    }

    /** Whether {@code arg} is one of Spring's own options, which every verb passes through. */
    public static boolean isSpringOption(String arg) {
        return SPRING_OPTIONS.stream().anyMatch(arg::startsWith);
    }

    /** A whole number flag within [min, max]; {@code fallback} when absent. */
    public static int integer(Map<String, String> flags, String name, int fallback, int min, int max) {
        String text = flags.get(name);
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value < min || value > max) {
                throw new IllegalArgumentException(
                        "--" + name + " must be between " + min + " and " + max + "; got " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": '" + text + "' is not a whole number");
        }
    }
}
