package dev.tailor.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A postmaster.pid left by a server that died with its container names a PID that, in the next container,
 * can belong to something else, a thread of the new JVM among others. PostgreSQL's own check takes any live PID for
 * a running postmaster and refuses to start, so the pod restarted for good. Played here by a live process
 * that is not PostgreSQL.
 */
class StalePidFileTest {

    @Test
    void aPidFileNamingAnotherLiveProcessIsStaleAndTheServerStartsLeavingThatProcessAlone() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "stale-pid")
                .resolve("postgres")
                .toAbsolutePath();
        try (EmbeddedPostgresServer first = EmbeddedPostgresServer.acquire(data);
                Connection connection = DriverManager.getConnection(first.jdbcUrl())) {
            connection.createStatement().execute("create table kept (n int); insert into kept values (7)");
        }
        assertThat(data.resolve("postmaster.pid")).doesNotExist();

        Process other = new ProcessBuilder("sleep", "300").start();
        try {
            // what the dead server left: its PID (now the other process's), directory, start time, port, ...
            Files.write(
                    data.resolve("postmaster.pid"),
                    List.of(
                            Long.toString(other.pid()),
                            data.toString(),
                            "1764000000",
                            "54329",
                            "/tmp",
                            "localhost",
                            "  5432001   0",
                            "ready   "));
            assertThat(EmbeddedPostgresServer.isPostmasterOf(other.toHandle(), data))
                    .isFalse();

            try (EmbeddedPostgresServer again = EmbeddedPostgresServer.acquire(data);
                    Connection connection = DriverManager.getConnection(again.jdbcUrl());
                    ResultSet row = connection.createStatement().executeQuery("select n from kept")) {
                assertThat(again.ownsServer()).isTrue();
                assertThat(row.next()).isTrue();
                assertThat(row.getInt(1)).isEqualTo(7);
                // the server that did start is recognised as this directory's
                long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid"))
                        .get(0)
                        .trim());
                assertThat(EmbeddedPostgresServer.isPostmasterOf(
                                ProcessHandle.of(pid).orElseThrow(), data))
                        .isTrue();
            }
            assertThat(other.isAlive())
                    .as("the process the stale file named is left alone")
                    .isTrue();
        } finally {
            other.destroyForcibly();
        }
    }
}
