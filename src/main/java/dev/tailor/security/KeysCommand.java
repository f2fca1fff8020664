package dev.tailor.security;

import dev.tailor.CliFlags;
import dev.tailor.OneShotCommand;
import dev.tailor.StandardOutput;
import dev.tailor.Usage;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * {@code tailor keys create|list|revoke}: API keys on the machine that holds the database (whoever
 * can run this can read the database anyway, so it needs no key itself).
 */
@Component
@Profile("keys")
public class KeysCommand extends OneShotCommand {

    private final ApiKeys keys;
    private final PrintStream out;
    private final PrintStream err;

    @Autowired
    KeysCommand(ApiKeys keys) {
        this(keys, StandardOutput.results(), System.err);
    }

    KeysCommand(ApiKeys keys, PrintStream out, PrintStream err) {
        this.keys = keys;
        this.out = out;
        this.err = err;
    }

    private static final Set<String> CREATE_FLAGS = Set.of("role", "name", "device");

    /** The action and its flags' own mistakes, checked before anything starts (no database). */
    public static void checkFlags(String[] args) {
        List<String> words = Arrays.stream(args)
                .filter(a -> !dev.tailor.CliFlags.isSpringOption(a))
                .toList();
        if (words.isEmpty()) {
            throw new IllegalArgumentException("give an action: create, list or revoke");
        }
        String[] rest = words.subList(1, words.size()).toArray(String[]::new);
        switch (words.get(0)) {
            case "create" -> CliFlags.parse(rest, CREATE_FLAGS, Set.of());
            case "list" -> CliFlags.parse(rest, Set.of(), Set.of());
            case "revoke" -> keyId(rest);
            default ->
                throw new IllegalArgumentException("unknown action '" + words.get(0) + "'; use create, list or revoke");
        }
    }

    @Override
    protected int execute(String[] args) {
        List<String> words = Arrays.stream(args)
                .filter(a -> !dev.tailor.CliFlags.isSpringOption(a))
                .toList();
        if (words.isEmpty() || words.contains("--help") || words.contains("-h")) {
            (words.isEmpty() ? err : out).print(Usage.KEYS);
            return words.isEmpty() ? 2 : 0;
        }
        String[] rest = words.subList(1, words.size()).toArray(String[]::new);
        try {
            return switch (words.get(0)) {
                case "create" -> create(rest);
                case "list" -> list(rest);
                case "revoke" -> revoke(rest);
                default ->
                    throw new IllegalArgumentException(
                            "unknown action '" + words.get(0) + "'; use create, list or revoke");
            };
        } catch (IllegalArgumentException e) {
            err.println("tailor keys: " + e.getMessage());
            err.print(Usage.KEYS);
            return 2;
        } catch (ApiKeys.KeyRefused e) {
            err.println("tailor keys: --" + e.field() + ": " + e.getMessage());
            return 2;
        }
    }

    private int create(String[] args) {
        Map<String, String> flags = CliFlags.parse(args, CREATE_FLAGS, Set.of());
        if (!flags.containsKey("role")) {
            throw new IllegalArgumentException("--role: give viewer, operator or agent");
        }
        if (!flags.containsKey("name")) {
            throw new IllegalArgumentException("--name: say what the key is for, e.g. --name ci-pipeline");
        }
        Role role;
        try {
            role = Role.fromWire(flags.get("role"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--role: " + e.getMessage());
        }
        IssuedKey issued = keys.issue(flags.get("name"), role, flags.get("device"), "cli");
        out.println(issued.key());
        err.printf(
                Locale.ROOT,
                "created key %d '%s' (role %s%s); it is shown this once%n",
                issued.details().id(),
                issued.details().name(),
                role.wireName(),
                issued.details().device() == null
                        ? ""
                        : ", device " + issued.details().device());
        return 0;
    }

    private int list(String[] args) {
        CliFlags.parse(args, Set.of(), Set.of());
        out.printf(
                Locale.ROOT,
                "%-5s %-24s %-9s %-18s %-14s %-25s %s%n",
                "id",
                "name",
                "role",
                "device",
                "prefix",
                "created",
                "revoked");
        for (ApiKeyView key : keys.list()) {
            out.printf(
                    Locale.ROOT,
                    "%-5d %-24s %-9s %-18s %-14s %-25s %s%n",
                    key.id(),
                    key.name(),
                    key.role().wireName(),
                    key.device() == null ? "-" : key.device(),
                    key.prefix(),
                    key.createdAt(),
                    key.revokedAt() == null ? "-" : key.revokedAt());
        }
        return 0;
    }

    /** The one argument of revoke, a key id; whether such a key exists is the database's to say. */
    private static long keyId(String[] args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("revoke takes one key id (see 'tailor keys list')");
        }
        try {
            return Long.parseLong(args[0].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("revoke: '" + args[0] + "' is not a key id (see 'tailor keys list')");
        }
    }

    private int revoke(String[] args) {
        long id = keyId(args);
        ApiKeyView key =
                keys.revoke(id).orElseThrow(() -> new IllegalArgumentException("revoke: no key with id " + id));
        out.printf(Locale.ROOT, "key %d '%s' revoked at %s%n", key.id(), key.name(), key.revokedAt());
        return 0;
    }
}
