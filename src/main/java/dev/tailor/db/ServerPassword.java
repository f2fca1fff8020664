package dev.tailor.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>The start that creates the password cannot ask for it (the role has none yet): that start keeps
 * initdb's rules, sets the password and then switches the running server to the new rules.
 */
final class ServerPassword {

    static final String FILE = "postgres.password";

    private final String value;
    private final boolean created;

    private ServerPassword(String value, boolean created) {
        this.value = value;
        this.created = created;
    }

    String value() {
        return value;
    }

    /** Whether this start made it: the server does not know it yet. */
    boolean created() {
        return created;
    }

    static Path file(Path dataDirectory) {
        return dataDirectory.resolveSibling(FILE);
    }

    /** The password of the data directory's server; empty for one started before there was one. */
    static Optional<String> read(Path dataDirectory) {
        Path file = file(dataDirectory);
        try {
            return Files.exists(file)
                    ? Optional.of(
                            Files.readString(file, StandardCharsets.US_ASCII).trim())
                    : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    static ServerPassword readOrCreate(Path dataDirectory) {
        Optional<String> known = read(dataDirectory);
        if (known.isPresent()) {
            return new ServerPassword(known.get(), false);
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String value = HexFormat.of().formatHex(random);
        Path file = file(dataDirectory);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, value + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (FileAlreadyExistsException raced) {
            return readOrCreate(dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
        return new ServerPassword(value, true);
    }

    /** {@code &password=...} for a JDBC URL; nothing for a server without one. */
    static String urlParameter(String password) {
        // hexadecimal: nothing to escape
        return password == null ? "" : "&password=" + password;
    }

    /**
     * Writes the server's access rules: every connection, local socket or loopback TCP, authenticates
     * with the password ({@code scram-sha-256}), or, before the server knows it, is trusted as initdb
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
     * Makes the running server ask for this password: sets it on the superuser (again, if it knew it
     * already), writes the rules that require it and has the server read them.
     */
    void requireFrom(int port, Path dataDirectory) {
        try (Connection connection = DriverManager.getConnection(
                        "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres" + urlParameter(value));
                Statement statement = connection.createStatement()) {
            statement.execute("set password_encryption = 'scram-sha-256'");
            statement.execute("alter role postgres password '" + value + "'");
            writeAccessRules(dataDirectory, true);
            statement.execute("select pg_reload_conf()");
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Could not set the embedded PostgreSQL's password (" + file(dataDirectory) + "): " + e.getMessage(),
                    e);
        }
    }
}
