package dev.tailor.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The embedded server's superuser password. initdb, as the library runs it, trusts every connection
 * from the machine: any local account could connect as the superuser on the server's port, make
 * itself an operator key or run programs as this one. The password lives beside the data directory
 * ({@code postgres.password}, readable by this user alone); the server's access rules ask for it on
 * every connection, over TCP and the Unix socket alike.
 *
 * <p>The start that gives the server a password cannot ask for it (the role has none yet): that start
 * keeps initdb's rules, sets the password, switches the running server to the new rules and only then
 * writes the file, so a file always names a password its server has.
 */
final class ServerPassword {

    static final String FILE = "postgres.password";

    private ServerPassword() {}

    static Path file(Path dataDirectory) {
        return dataDirectory.resolveSibling(FILE);
    }

    /** The password of the data directory's server, for clients; empty for one that has none. */
    static Optional<String> read(Path dataDirectory) {
        Path file = file(dataDirectory);
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            String value = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return value.isEmpty() ? Optional.empty() : Optional.of(value);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    /**
     * The password the server of this data directory was given, when it was: the file is written only
     * once the server took the password. A file beside a data directory not yet created (the catalogue
     * deleted, the file kept) names no server's password and is removed.
     */
    static Optional<String> known(Path dataDirectory) {
        if (!Files.exists(dataDirectory.resolve("PG_VERSION"))) {
            try {
                Files.deleteIfExists(file(dataDirectory));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot remove " + file(dataDirectory), e);
            }
            return Optional.empty();
        }
        return read(dataDirectory);
    }

    static String newValue() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** {@code &password=...} for a JDBC URL; nothing for a server without one. */
    static String urlParameter(String password) {
        // hexadecimal: nothing to escape
        return password == null ? "" : "&password=" + password;
    }

    /**
     * Writes the server's access rules: every connection, local socket or loopback TCP, authenticates
     * with the password ({@code scram-sha-256}), or, before the server has one, is trusted as initdb
     * left it.
     */
    static void writeAccessRules(Path dataDirectory, boolean passwordRequired) {
        String method = passwordRequired ? "scram-sha-256" : "trust";
        String rules = "# Written by Tailor at every start of its embedded server: the password is in ../" + FILE
                + "\n" + "local   all           all                  " + method + "\n"
                + "host    all           all   127.0.0.1/32   " + method + "\n"
                + "host    all           all   ::1/128        " + method + "\n"
                + "local   replication   all                  " + method + "\n"
                + "host    replication   all   127.0.0.1/32   " + method + "\n"
                + "host    replication   all   ::1/128        " + method + "\n";
        Path file = dataDirectory.resolve("pg_hba.conf");
        try {
            // written in place: the file keeps the owner and mode the server's user needs
            Files.writeString(
                    file,
                    rules,
                    StandardCharsets.US_ASCII,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    /**
     * Gives the running server {@code password} and makes it ask for it: sets it on the superuser,
     * writes the rules that require it and has the server read them; then, and only then, keeps it in
     * the file (a start stopped before leaves no file, and the next start begins again).
     */
    static void require(int port, Path dataDirectory, String password) {
        try (Connection connection = DriverManager.getConnection(
                        "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres" + urlParameter(password));
                Statement statement = connection.createStatement()) {
            statement.execute("set password_encryption = 'scram-sha-256'");
            statement.execute("alter role postgres password '" + password + "'");
            writeAccessRules(dataDirectory, true);
            statement.execute("select pg_reload_conf()");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not set the embedded PostgreSQL's password: " + e.getMessage(), e);
        }
        save(dataDirectory, password);
    }

    /** Written whole or not at all (a file cut short would name a password no server has). */
    private static void save(Path dataDirectory, String password) {
        Path file = file(dataDirectory);
        try {
            Path partial = Files.createTempFile(
                    file.getParent(),
                    FILE,
                    ".partial",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(partial, password + "\n", StandardCharsets.US_ASCII);
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }
}
