package dev.tailor.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * initdb, as the library runs it, trusted every connection from the machine: any local account could
 * connect to the embedded server as its superuser. Now only a client with the home's password gets in.
 */
class ServerPasswordTest {

    private static String url(int port, String password) {
        return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres&connectTimeout=5"
                + (password == null ? "" : "&password=" + password);
    }

    private static int port(EmbeddedPostgresServer server) {
        String url = server.jdbcUrl();
        return Integer.parseInt(url.substring("jdbc:postgresql://localhost:".length(), url.indexOf('/', 28)));
    }

    @Test
    void onlyAClientWithTheHomesPasswordConnectsAcrossRestartsAndFromAnOlderHome() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "password")
                .resolve("postgres")
                .toAbsolutePath();
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.acquire(data)) {
            refusesStrangersAndServesTheService(server);
            try (Connection connection = DriverManager.getConnection(server.jdbcUrl())) {
                connection.createStatement().execute("create table kept (n int); insert into kept values (3)");
            }
        }
        Path file = data.resolveSibling(ServerPassword.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        String first = Files.readString(file).trim();
        assertThat(first).hasSize(64);

        // a restart asks for the same password from the start
        try (EmbeddedPostgresServer again = EmbeddedPostgresServer.acquire(data)) {
            refusesStrangersAndServesTheService(again);
        }
        assertThat(Files.readString(file).trim()).isEqualTo(first);

        // a home from before the password (or one whose file was lost): the next start sets a new one
        Files.delete(file);
        try (EmbeddedPostgresServer upgraded = EmbeddedPostgresServer.acquire(data);
                Connection connection = DriverManager.getConnection(upgraded.jdbcUrl());
                ResultSet kept = connection.createStatement().executeQuery("select n from kept")) {
            assertThat(kept.next()).isTrue();
            assertThat(kept.getInt(1)).isEqualTo(3);
            refusesStrangersAndServesTheService(upgraded);
        }
        assertThat(Files.readString(file).trim()).hasSize(64).isNotEqualTo(first);

        // the catalogue deleted and the file kept: the file names no server's password; a fresh one is made
        org.springframework.util.FileSystemUtils.deleteRecursively(data);
        try (EmbeddedPostgresServer fresh = EmbeddedPostgresServer.acquire(data)) {
            refusesStrangersAndServesTheService(fresh);
        }
    }

    private static void refusesStrangersAndServesTheService(EmbeddedPostgresServer server) throws Exception {
        int port = port(server);
        assertThatThrownBy(() -> DriverManager.getConnection(url(port, "wrong")).close())
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
        assertThatThrownBy(() -> DriverManager.getConnection(url(port, null)).close())
                .isInstanceOf(SQLException.class);
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl());
                ResultSet one = connection.createStatement().executeQuery("select 1")) {
            assertThat(one.next()).isTrue();
        }
    }
}
