package dev.tailor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The flags of a one-shot verb: {@code --name value} pairs (or {@code -o value}), each known to
 * the verb. Spring's own options ({@code --spring.*}, {@code --tailor.*}, {@code --logging.*})
 * pass through untouched. A mistake is an {@link IllegalArgumentException} naming the flag.
 */
public final class CliFlags {

    private CliFlags() {}

    /**
     * @param known the flags the verb takes, without dashes
     * @param switches the known flags that take no value (their value is "true")
     */
    public static Map<String, String> parse(String[] args, Set<String> known, Set<String> switches) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.startsWith("--spring.") || arg.startsWith("--tailor.") || arg.startsWith("--logging.")) {
                continue;
            }
            String name = arg.replaceFirst("^--?", "");
            if (!arg.startsWith("-") || !known.contains(name)) {
                throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
            if (switches.contains(name)) {
                flags.put(name, "true");
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            if (flags.put(name, args[++i]) != null) {
                throw new IllegalArgumentException("--" + name + " is given twice");
            }
        }
        return flags;
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
