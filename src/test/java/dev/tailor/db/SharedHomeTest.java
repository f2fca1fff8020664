package dev.tailor.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

/**
 * A second process on the same TAILOR_HOME (`./tailor train` while `serve` runs) uses the running
 * server's database instead of stopping it. The owner is told by a file lock, which a second
 * opener in this JVM cannot take either, so the second process is played by {@code attachOrStart}
 * past the per-JVM map.
 */
class SharedHomeTest {

    @Test
    void aSecondOpenerUsesTheRunningServerAndLeavesItRunning() throws Exception {
        Path home = Files.createTempDirectory(Path.of("target"), "shared-home");
        Path data = home.resolve("postgres");
        try (EmbeddedPostgresServer running = EmbeddedPostgresServer.acquire(data)) {
            assertThat(running.ownsServer()).isTrue();
            try (Connection first = DriverManager.getConnection(running.jdbcUrl())) {
                first.createStatement().execute("create table kept (n int); insert into kept values (7)");

                EmbeddedPostgresServer second = EmbeddedPostgresServer.attachOrStart(data.toAbsolutePath());
                assertThat(second.ownsServer()).isFalse();
                try (Connection other = DriverManager.getConnection(second.jdbcUrl());
                        ResultSet row = other.createStatement().executeQuery("select n from kept")) {
                    assertThat(row.next()).isTrue();
                    assertThat(row.getInt(1)).isEqualTo(7);
                }
                second.close();

                // the first process's server is still up and its connection still works
                try (ResultSet row = first.createStatement().executeQuery("select count(*) from kept")) {
                    row.next();
                    assertThat(row.getInt(1)).isOne();
                }
            }
        }
    }
}
