package dev.tailor.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.ServiceProcess;
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

    @Test
    void thisProcesssOwnConnectionsJustClosedDoNotKeepTheServerRunning() throws Exception {
        Path home = Files.createTempDirectory(Path.of("target"), "shared-home");
        Path data = home.resolve("postgres").toAbsolutePath();
        EmbeddedPostgresServer owner = EmbeddedPostgresServer.acquire(data);
        long postmaster = postmasterPid(data);
        // a pool's worth of connections closed just before the end, as a Spring context closes its pool
        for (int i = 0; i < 10; i++) {
            DriverManager.getConnection(owner.jdbcUrl()).close();
        }
        owner.close();
        assertEnds(postmaster);
        // and the same JVM starts it again on the same data (a second context, as tests do)
        try (EmbeddedPostgresServer again = EmbeddedPostgresServer.acquire(data)) {
            assertThat(again.ownsServer()).isTrue();
        }
    }

    @Test
    void theServerOutlivesItsOwnerWhileAnotherProcessUsesItAndTheLastUserStopsIt() throws Exception {
        Path home = Files.createTempDirectory(Path.of("target"), "shared-home");
        Path data = home.resolve("postgres").toAbsolutePath();
        EmbeddedPostgresServer owner = EmbeddedPostgresServer.acquire(data);
        long postmaster = postmasterPid(data);
        try (Connection setUp = DriverManager.getConnection(owner.jdbcUrl())) {
            setUp.createStatement().execute("create table kept (n int); insert into kept values (7)");
        }
        EmbeddedPostgresServer user = EmbeddedPostgresServer.attachOrStart(data);
        assertThat(user.ownsServer()).isFalse();
        // the other process is played in this JVM: its connections carry another process's name
        Connection used = DriverManager.getConnection(
                user.jdbcUrl().replace(EmbeddedPostgresServer.THIS_PROCESS, "tailor-another-process"));

        owner.close(); // as `serve` ending while `train` still works on its database
        assertThat(ProcessHandle.of(postmaster).filter(ProcessHandle::isAlive)).isPresent();
        assertThat(count(used)).isOne();
        try (Connection fresh = DriverManager.getConnection(user.jdbcUrl())) {
            assertThat(count(fresh)).isOne();
        }

        used.close();
        user.close(); // the last process to use it stops it
        assertEnds(postmaster);
    }

    /**
     * A process that has attached (read the port) but not yet connected: the owner ending in that
     * moment counted no connections of others and stopped the server under it.
     */
    @Test
    void aProcessThatAttachedButHasNotConnectedYetKeepsTheServerRunning() throws Exception {
        Path home = Files.createTempDirectory(Path.of("target"), "shared-home-attach")
                .toAbsolutePath();
        Path data = home.resolve("postgres");
        EmbeddedPostgresServer owner = EmbeddedPostgresServer.acquire(data);
        long postmaster = postmasterPid(data);
        try (Connection setUp = DriverManager.getConnection(owner.jdbcUrl())) {
            setUp.createStatement().execute("create table kept (n int); insert into kept values (7)");
        }
        Path log = home.resolve("attaching.log");
        Process other = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-Xmx128m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        AttachingProcess.class.getName(),
                        data.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try (java.io.Writer commands =
                new java.io.OutputStreamWriter(other.getOutputStream(), java.nio.charset.StandardCharsets.UTF_8)) {
            awaitLine(other, log, "attached owns=false");

            owner.close(); // as `serve` ending just after `./tailor train` found its server
            assertThat(ProcessHandle.of(postmaster).filter(ProcessHandle::isAlive))
                    .as("the server outlives its owner while a process is attached")
                    .isPresent();

            commands.write("connect\n");
            commands.flush();
            awaitLine(other, log, "read 7");

            commands.write("close\n");
            commands.flush();
            awaitLine(other, log, "closed");
        } finally {
            other.destroyForcibly();
        }
        assertEnds(postmaster); // the last process to let go stopped it
    }

    /**
     * `./tailor keys list` started while `serve` still starts its server (initdb, then the first start that
     * sets the password): it failed with "try again in a moment", or read no password and was refused once
     * the server asked for one. It waits for the server now, and connects with the password.
     */
    @Test
    void aProcessArrivingWhileTheFirstStillStartsTheServerWaitsForItAndConnects() throws Exception {
        Path home = Files.createTempDirectory(Path.of("target"), "shared-home-starting")
                .toAbsolutePath();
        Path data = home.resolve("postgres");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<EmbeddedPostgresServer> starting =
                    pool.submit(() -> EmbeddedPostgresServer.acquire(data));
            // initdb writes PG_VERSION early, with the owner's lock held since before it began
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
            while (!Files.exists(data.resolve("PG_VERSION"))) {
                assertThat(System.nanoTime()).as("initdb under way within 60 s").isLessThan(deadline);
                Thread.sleep(10);
            }
            boolean passwordSetYet = ServerPassword.read(data).isPresent();

            EmbeddedPostgresServer second = EmbeddedPostgresServer.attachOrStart(data);

            assertThat(passwordSetYet)
                    .as("arrived before the first start had set the password")
                    .isFalse();
            assertThat(second.ownsServer()).isFalse();
            try (Connection connection = DriverManager.getConnection(second.jdbcUrl());
                    ResultSet row = connection.createStatement().executeQuery("select 1")) {
                assertThat(row.next()).isTrue();
            }
            second.close();
            starting.get(60, java.util.concurrent.TimeUnit.SECONDS).close();
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The process starting the server died before it came up (killed during initdb): the one waiting
     * for it waited out its whole minute and failed; it takes the home over once the lock is free.
     */
    @Test
    void aProcessWaitingForAStarterThatDiesStartsTheServerItself() throws Exception {
        Path home = Files.createTempDirectory(Path.of("target"), "shared-home-starter-died")
                .toAbsolutePath();
        Path data = home.resolve("postgres");
        Files.createDirectories(data);
        Path log = home.resolve("starter.log");
        Process starter = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-Xmx64m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        OwnerLockHolder.class.getName(),
                        data.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            awaitLine(starter, log, "locked");
            java.util.concurrent.Future<EmbeddedPostgresServer> waiting =
                    pool.submit(() -> EmbeddedPostgresServer.attachOrStart(data));
            Thread.sleep(1_000);
            assertThat(waiting).as("waits while the starter lives").isNotDone();

            starter.destroyForcibly().waitFor();

            // before, the waiter waited out its minute for the dead starter, then failed
            EmbeddedPostgresServer server = waiting.get(90, java.util.concurrent.TimeUnit.SECONDS);
            try (Connection connection = DriverManager.getConnection(server.jdbcUrl());
                    ResultSet row = connection.createStatement().executeQuery("select 1")) {
                assertThat(server.ownsServer()).isTrue();
                assertThat(row.next()).isTrue();
            } finally {
                server.close();
            }
        } finally {
            starter.destroyForcibly();
            pool.shutdownNow();
        }
    }

    private static void awaitLine(Process process, Path log, String line) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (!Files.readAllLines(log).contains(line)) {
            assertThat(process.isAlive())
                    .as("the attaching process ended before saying '%s'; its log: %s", line, Files.readString(log))
                    .isTrue();
            assertThat(System.nanoTime())
                    .as("'%s' within 60 s; log: %s", line, Files.readString(log))
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void realServicesHandTheServerOverWhenStoppedOrKilledWhileAnotherProcessUsesIt() throws Exception {
        Path home = Files.createTempDirectory(Path.of("target"), "shared-home-services")
                .toAbsolutePath();
        Path data = home.resolve("postgres");
        ServiceProcess first = ServiceProcess.start(home, "first");
        long postmaster = postmasterPid(data);
        EmbeddedPostgresServer user = EmbeddedPostgresServer.attachOrStart(data);
        assertThat(user.ownsServer()).isFalse();
        Connection used = DriverManager.getConnection(user.jdbcUrl());
        used.createStatement().execute("create table kept (n int); insert into kept values (7)");

        // SIGTERM, as Ctrl-C on `serve` while `./tailor train` runs on the same home
        first.terminate();
        assertThat(Files.readString(first.log())).contains("Leaving PostgreSQL", "other processes use it");
        assertThat(count(used)).isOne();

        // a service started now takes the orphaned server over instead of waiting for it to stop
        ServiceProcess second = ServiceProcess.start(home, "second");
        assertThat(Files.readString(second.log())).contains("this process takes it over");
        assertThat(postmasterPid(data)).isEqualTo(postmaster);
        second.kill(); // kill -9: the server stays, its lock goes
        assertThat(count(used)).isOne();

        used.close();
        user.close();
        assertEnds(postmaster);
    }

    private static int count(Connection connection) throws Exception {
        try (ResultSet row = connection.createStatement().executeQuery("select count(*) from kept")) {
            row.next();
            return row.getInt(1);
        }
    }

    /** pg_ctl returns once the server has removed its pid file; the process itself ends a moment later. */
    private static void assertEnds(long pid) throws Exception {
        java.util.Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isPresent()) {
            process.get().onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    }

    private static long postmasterPid(Path data) throws Exception {
        return Long.parseLong(
                Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    }
}
