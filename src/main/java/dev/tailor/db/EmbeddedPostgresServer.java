package dev.tailor.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server whose files live in a directory that outlives the process.
 *
 * <p>One server per data directory and JVM: several Spring contexts in one JVM (tests) share it,
 * and the last one to close stops it. A server left running by a process that was killed
 * ({@code kill -9} leaves the postmaster behind) is stopped before a new one starts.
 */
final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final Map<Path, EmbeddedPostgresServer> RUNNING = new HashMap<>();
    private static final Duration STALE_SHUTDOWN_WAIT = Duration.ofSeconds(30);

    private final Path dataDirectory;
    private final EmbeddedPostgres postgres;
    private int users;

    private EmbeddedPostgresServer(Path dataDirectory, EmbeddedPostgres postgres) {
        this.dataDirectory = dataDirectory;
        this.postgres = postgres;
    }

    static EmbeddedPostgresServer acquire(Path dataDirectory) {
        Path key = dataDirectory.toAbsolutePath().normalize();
        synchronized (RUNNING) {
            EmbeddedPostgresServer server = RUNNING.get(key);
            if (server == null) {
                server = new EmbeddedPostgresServer(key, start(key));
                RUNNING.put(key, server);
            }
            server.users++;
            return server;
        }
    }

    String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    @Override
    public void close() {
        synchronized (RUNNING) {
            if (--users > 0) {
                return;
            }
            RUNNING.remove(dataDirectory);
            try {
                postgres.close();
            } catch (IOException e) {
                log.warn("Embedded PostgreSQL in {} did not stop cleanly: {}", dataDirectory, e.getMessage());
            }
        }
    }

    private static EmbeddedPostgres start(Path dataDirectory) {
        try {
            Files.createDirectories(dataDirectory);
            stopStalePostmaster(dataDirectory);
            log.info("Starting embedded PostgreSQL with data in {}", dataDirectory);
            return EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setOverrideWorkingDirectory(
                            dataDirectory.resolveSibling("postgres-binaries").toFile())
                    // Keep the data: this is the catalogue, not a throw-away test database.
                    .setCleanDataDirectory(false)
                    // The library's defaults trade durability for speed; a catalogue wants both on.
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "on")
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("listen_addresses", "localhost")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // stopped by Spring, after the beans that use it: the library's own JVM hook would
                    // stop it at once on SIGTERM, while a job still writes its last step
                    .setRegisterShutdownHook(false)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dataDirectory, e);
        }
    }

    /** postmaster.pid's first line is the PID of a server that may still be running. */
    private static void stopStalePostmaster(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        Optional<ProcessHandle> stale = lines.isEmpty()
                ? Optional.empty()
                : parsePid(lines.get(0)).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
        if (stale.isEmpty()) {
            return;
        }
        ProcessHandle postmaster = stale.get();
        String command = postmaster.info().command().orElse("");
        if (!command.endsWith("postgres")) {
            return; // the PID was reused by an unrelated process; PostgreSQL copes with that itself
        }
        log.warn(
                "Stopping PostgreSQL (pid {}) left running in {} by an earlier process",
                postmaster.pid(),
                dataDirectory);
        postmaster.destroy();
        try {
            postmaster.onExit().get(STALE_SHUTDOWN_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("PostgreSQL (pid " + postmaster.pid() + ") left running in " + dataDirectory
                    + " did not stop within " + STALE_SHUTDOWN_WAIT.toSeconds() + " s; stop it and start again");
        }
    }

    private static Optional<Long> parsePid(String line) {
        try {
            return Optional.of(Long.parseLong(line.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
