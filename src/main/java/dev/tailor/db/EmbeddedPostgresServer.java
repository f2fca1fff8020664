package dev.tailor.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * and the last one to close stops it. A server another live process runs in the directory (a
 * {@code serve} while {@code ./tailor train} starts on the same home) is used as it is, on its
 * port. The server stops when the last process using it ends: a process that runs it and ends
 * while another still has connections leaves it running and lets go of it, and the last one to
 * close stops it; a process that finds the server of a process that died still in use by another
 * takes it over. A server left running by a process that was killed ({@code kill -9} leaves the
 * postmaster behind, its parent gone) and used by nobody is stopped before a new one starts.
 *
 * <p>"Uses" is told by a shared lock on {@code postgres.attach}, which every process holds from
 * before it reads the server's port until it lets go of the server: a process that has attached but
 * not yet connected counts too (counting connections alone missed it). The process that would
 * stop the server must take that lock exclusively first, so one that arrives meanwhile waits,
 * then finds the server stopped and starts its own. Connections are counted as well, for clients
 * other than Tailor's (psql).
 */
final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final Map<Path, EmbeddedPostgresServer> RUNNING = new HashMap<>();
    private static final Duration STALE_SHUTDOWN_WAIT = Duration.ofSeconds(30);
    /** How long a backend of a connection just closed may still be listed (it exits asynchronously). */
    private static final Duration CLOSING_BACKENDS_WAIT = Duration.ofSeconds(2);
    /** How long a process waits to attach while another decides whether to stop the server. */
    private static final Duration ATTACH_WAIT = Duration.ofSeconds(60);

    static final String THIS_PROCESS = "tailor-" + ProcessHandle.current().pid();

    private final Path dataDirectory;
    /** The server this process started; null when it uses (or took over) one another process started. */
    private final EmbeddedPostgres postgres;

    private final int port;
    /** The superuser's password; null for a server started before there was one (it trusts localhost). */
    private final String password;

    private int users;

    /** Held while this process runs the server; null while another live process does. */
    private final FileChannel owner;

    /** This process's shared hold on {@code postgres.attach}: it uses the server. */
    private final AttachLock attach;

    private EmbeddedPostgresServer(
            Path dataDirectory, EmbeddedPostgres postgres, int port, FileChannel owner, AttachLock attach) {
        this.dataDirectory = dataDirectory;
        this.postgres = postgres;
        this.port = port;
        this.password = ServerPassword.read(dataDirectory).orElse(null);
        this.owner = owner;
        this.attach = attach;
    }

    static EmbeddedPostgresServer acquire(Path dataDirectory) {
        Path key = dataDirectory.toAbsolutePath().normalize();
        synchronized (RUNNING) {
            EmbeddedPostgresServer server = RUNNING.get(key);
            if (server == null) {
                server = attachOrStart(key);
                RUNNING.put(key, server);
            }
            server.users++;
            return server;
        }
    }

    /**
     * The running server of another live process, used as it is; else a server of this process.
     * Which process runs the directory's server is told by a lock on {@code postgres.owner} beside
     * it, held while the server runs: the operating system drops it with a process that dies, even
     * by {@code kill -9}, so a postmaster without a lock holder was left behind. (The postmaster's
     * parent cannot tell: pg_ctl detaches it.)
     */
    static EmbeddedPostgresServer attachOrStart(Path dataDirectory) {
        try {
            Files.createDirectories(dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + dataDirectory, e);
        }
        AttachLock attach = AttachLock.share(dataDirectory.resolveSibling("postgres.attach"), ATTACH_WAIT);
        try {
            return attachOrStart(dataDirectory, attach);
        } catch (RuntimeException e) {
            attach.close();
            throw e;
        }
    }

    private static EmbeddedPostgresServer attachOrStart(Path dataDirectory, AttachLock attach) {
        FileChannel owner;
        FileLock lock;
        boolean ownerInThisJvm = false;
        try {
            Files.createDirectories(dataDirectory);
            owner = FileChannel.open(
                    dataDirectory.resolveSibling("postgres.owner"),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            try {
                lock = owner.tryLock();
            } catch (OverlappingFileLockException heldHere) {
                lock = null;
                ownerInThisJvm = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot lock " + dataDirectory.resolveSibling("postgres.owner"), e);
        }
        if (lock == null) {
            closeQuietly(owner);
            Optional<Integer> owners = awaitOwnersServer(dataDirectory, !ownerInThisJvm);
            if (owners.isEmpty()) {
                // the owner ended before its server came up: this process comes first now
                log.info("The process that was starting PostgreSQL in {} ended first; starting it here", dataDirectory);
                return attachOrStart(dataDirectory, attach);
            }
            int port = owners.get();
            log.info(
                    "PostgreSQL in {} is run by another live process; using it on port {} and leaving it running",
                    dataDirectory,
                    port);
            return new EmbeddedPostgresServer(dataDirectory, null, port, null, attach);
        }
        try {
            Optional<Integer> outlived = portOf(dataDirectory);
            if (outlived.isEmpty()) {
                EmbeddedPostgres started = start(dataDirectory);
                return new EmbeddedPostgresServer(dataDirectory, started, started.getPort(), owner, attach);
            }
            // Alone, the left-over server is stopped and a new one started while processes that
            // arrive meanwhile wait to attach; else it is taken over as it is.
            boolean alone = attach.takeAlone();
            try {
                if (!alone
                        || otherClients(
                                        outlived.get(),
                                        ServerPassword.read(dataDirectory).orElse(null))
                                > 0) {
                    log.info(
                            "PostgreSQL in {} outlived the process that ran it and is still in use; this process"
                                    + " takes it over on port {}",
                            dataDirectory,
                            outlived.get());
                    return new EmbeddedPostgresServer(dataDirectory, null, outlived.get(), owner, attach);
                }
                EmbeddedPostgres started = start(dataDirectory);
                return new EmbeddedPostgresServer(dataDirectory, started, started.getPort(), owner, attach);
            } finally {
                attach.shareAgain(ATTACH_WAIT);
            }
        } catch (RuntimeException e) {
            closeQuietly(owner);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // releasing the lock is best effort; the process's end releases it anyway
        }
    }

    /** Whether this process runs the server (started it, or took it over), rather than using another's. */
    boolean ownsServer() {
        return owner != null;
    }

    /**
     * Every connection this process opens names it ({@code application_name}), so that at the end
     * the server can tell this process's last connections, whose backends may outlive their
     * sockets for a moment, from another process's.
     */
    String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres&ApplicationName=" + THIS_PROCESS
                + ServerPassword.urlParameter(password);
    }

    /**
     * Stops the server unless another process still uses it. Called after this process's own
     * connections are closed (the data source is destroyed before it), so every client connection
     * left is another process's.
     */
    @Override
    public void close() {
        synchronized (RUNNING) {
            if (--users > 0) {
                return;
            }
            RUNNING.remove(dataDirectory);
            // a process that only used the server runs it now if the one that ran it has ended
            FileChannel running = owner != null ? owner : takeOverIfLeft(dataDirectory);
            if (running == null) {
                attach.close();
                return; // another live process runs it and stops it
            }
            try {
                if (!attach.takeAlone()) {
                    log.info(
                            "Leaving PostgreSQL in {} running: other processes use it or are attaching to it; the"
                                    + " last process to end stops it",
                            dataDirectory);
                    return;
                }
                int others = otherClients(port, password);
                if (others > 0) {
                    log.info(
                            "Leaving PostgreSQL in {} running: {} connection(s) of other processes use it; the last"
                                    + " process to end stops it",
                            dataDirectory,
                            others);
                    return;
                }
                if (postgres != null) {
                    postgres.close();
                } else {
                    stopPostmaster(dataDirectory, "no process uses it any more");
                }
            } catch (IOException | RuntimeException e) {
                log.warn("Embedded PostgreSQL in {} did not stop cleanly: {}", dataDirectory, e.getMessage());
            } finally {
                // the owner lock first: a process waiting to attach then finds nobody running the server
                closeQuietly(running);
                attach.close();
            }
        }
    }

    /** The owner lock, taken when the process that held it has ended and its server still runs; else null. */
    private static FileChannel takeOverIfLeft(Path dataDirectory) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(dataDirectory.resolveSibling("postgres.owner"), StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null && portOf(dataDirectory).isPresent()) {
                return channel;
            }
        } catch (IOException | OverlappingFileLockException e) {
            // held here or unreadable: not this process's to stop
        }
        if (channel != null) {
            closeQuietly(channel);
        }
        return null;
    }

    /**
     * Client connections of other processes to the server on {@code port}; 0 when it does not
     * answer (then nobody can be using it). A process that has just ended may still be listed for a
     * moment, so a count above 0 is asked again for up to two seconds.
     */
    static int otherClients(int port, String password) {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://localhost:" + port
                        + "/postgres?user=postgres&connectTimeout=5" + ServerPassword.urlParameter(password));
                PreparedStatement statement = connection.prepareStatement("select count(*) from pg_stat_activity"
                        + " where backend_type = 'client backend' and pid <> pg_backend_pid()"
                        + " and application_name is distinct from ?")) {
            statement.setString(1, THIS_PROCESS);
            long deadline = System.nanoTime() + CLOSING_BACKENDS_WAIT.toNanos();
            while (true) {
                int others;
                try (ResultSet count = statement.executeQuery()) {
                    count.next();
                    others = count.getInt(1);
                }
                if (others == 0 || System.nanoTime() > deadline) {
                    return others;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return others;
                }
            }
        } catch (SQLException e) {
            return 0;
        }
    }

    private static EmbeddedPostgres start(Path dataDirectory) {
        try {
            Files.createDirectories(dataDirectory);
            stopPostmaster(dataDirectory, "left running by an earlier process");
            log.info("Starting embedded PostgreSQL with data in {}", dataDirectory);
            Optional<String> known = ServerPassword.known(dataDirectory);
            String password = known.orElseGet(ServerPassword::newValue);
            EmbeddedPostgres started = EmbeddedPostgres.builder()
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
                    // initdb trusts every local connection: any user of the machine could connect as the
                    // superuser. A password is asked for, except on the start that sets it (no password yet)
                    .setConnectConfig("password", password)
                    .setDataDirectoryCustomizer(
                            directory -> ServerPassword.writeAccessRules(directory.toPath(), known.isPresent()))
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // stopped by Spring, after the beans that use it: the library's own JVM hook would
                    // stop it at once on SIGTERM, while a job still writes its last step
                    .setRegisterShutdownHook(false)
                    .start();
            if (known.isEmpty()) {
                try {
                    ServerPassword.require(started.getPort(), dataDirectory, password);
                } catch (RuntimeException e) {
                    // a server left running with initdb's rules would let any local account in
                    try {
                        started.close();
                    } catch (IOException | RuntimeException alsoFailed) {
                        e.addSuppressed(alsoFailed);
                    }
                    throw e;
                }
            }
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dataDirectory, e);
        }
    }

    /**
     * The port of the server another live process runs in the directory, once it takes connections
     * with its password: a verb started while {@code serve} still starts its server (initdb, then a
     * first start that sets the password) waits for it instead of failing, or of reading no password
     * and being refused once the server asks for one. A server that is up and never gets a password
     * file (started by a release before there was one) is used without, after the wait. Empty when
     * the process starting it ended (its owner lock went with it) before its server came up, in an
     * empty directory or one that served before: the waiter then starts the server itself.
     */
    private static Optional<Integer> awaitOwnersServer(Path dataDirectory, boolean ownerElsewhere) {
        long deadline = System.nanoTime() + ATTACH_WAIT.toNanos();
        // The owner lock is looked at once a second, and only when another process holds it: closing the
        // channel of a look drops the locks this JVM holds on the file through any other channel. Only a
        // directory the dead owner left empty (it died before initdb) or one that served before (its
        // password is written) is taken over: initdb refuses a half-written one, and an initdb orphaned
        // by its killed parent may still be writing there.
        int polls = 0;
        try {
            while (true) {
                Optional<Integer> port = portOf(dataDirectory);
                boolean ready = port.isPresent() && acceptsConnections(dataDirectory);
                if (ready && ServerPassword.read(dataDirectory).isPresent()) {
                    return port;
                }
                if (ownerElsewhere
                        && port.isEmpty()
                        && ++polls % 5 == 0
                        && (isEmpty(dataDirectory)
                                || ServerPassword.read(dataDirectory).isPresent())
                        && ownerLockFree(dataDirectory)) {
                    return Optional.empty();
                }
                if (System.nanoTime() > deadline) {
                    if (ready) {
                        return port;
                    }
                    if (ownerElsewhere && port.isEmpty() && ownerLockFree(dataDirectory)) {
                        throw new IllegalStateException("the process that was creating the database in "
                                + dataDirectory + " ended part-way and left it half-initialised: if nothing was"
                                + " ever stored there, delete that directory (else move it aside) and start again");
                    }
                    throw new IllegalStateException("the data directory " + dataDirectory
                            + " belongs to another running Tailor process whose PostgreSQL has not come up in "
                            + ATTACH_WAIT.toSeconds() + " s; try again when it has, or stop that process");
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the PostgreSQL in " + dataDirectory, e);
        }
    }

    private static boolean isEmpty(Path directory) {
        try (var entries = Files.list(directory)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether no process holds the directory's owner lock now (taken and let go at once). */
    private static boolean ownerLockFree(Path dataDirectory) {
        try (FileChannel owner = FileChannel.open(
                dataDirectory.resolveSibling("postgres.owner"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = owner.tryLock();
            if (lock == null) {
                return false;
            }
            lock.release();
            return true;
        } catch (OverlappingFileLockException heldHere) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the postmaster says it is ready (postmaster.pid's eighth line; "starting" before). */
    private static boolean acceptsConnections(Path dataDirectory) {
        try {
            List<String> lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"));
            return lines.size() >= 8 && lines.get(7).trim().equals("ready");
        } catch (IOException e) {
            return false;
        }
    }

    /** The port a running postmaster of the directory listens on (postmaster.pid's fourth line). */
    private static Optional<Integer> portOf(Path dataDirectory) {
        try {
            Path pidFile = dataDirectory.resolve("postmaster.pid");
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile);
            boolean alive = !lines.isEmpty()
                    && parsePid(lines.get(0))
                            .flatMap(ProcessHandle::of)
                            .filter(ProcessHandle::isAlive)
                            .filter(process -> isPostmasterOf(process, dataDirectory))
                            .isPresent();
            return alive && lines.size() >= 4 ? parsePid(lines.get(3)).map(Long::intValue) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Stops the directory's postmaster if one runs (postmaster.pid's first line is its PID). */
    private static void stopPostmaster(Path dataDirectory, String why) throws IOException {
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
        if (!isPostmasterOf(postmaster, dataDirectory)) {
            // The PID was reused: after a container restart it can be a thread of this very JVM, which
            // PostgreSQL's own check takes for a live postmaster ("lock file already exists") and refuses
            // to start, the pod then restarting for good. No postmaster of this directory runs (this
            // process holds the owner lock, and the PID is not one), so the file is stale.
            log.info(
                    "postmaster.pid in {} names pid {}, now {}, not a PostgreSQL of this directory; removed it",
                    dataDirectory,
                    postmaster.pid(),
                    postmaster.info().command().orElse("another process"));
            Files.deleteIfExists(pidFile);
            return;
        }
        log.info("Stopping PostgreSQL (pid {}) in {}: {}", postmaster.pid(), dataDirectory, why);
        postmaster.destroy();
        try {
            postmaster.onExit().get(STALE_SHUTDOWN_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("PostgreSQL (pid " + postmaster.pid() + ") in " + dataDirectory + " (" + why
                    + ") did not stop within " + STALE_SHUTDOWN_WAIT.toSeconds() + " s; stop it and start again");
        }
    }

    /**
     * Whether a live process is a PostgreSQL server of this data directory: a postgres executable whose
     * working directory is the data directory (PostgreSQL works in it). Where the working directory cannot be
     * read (not Linux, another user's process), a postgres executable counts, as before.
     */
    static boolean isPostmasterOf(ProcessHandle process, Path dataDirectory) {
        if (!process.info().command().orElse("").endsWith("postgres")) {
            return false;
        }
        try {
            return Files.isSameFile(Path.of("/proc", Long.toString(process.pid()), "cwd"), dataDirectory);
        } catch (IOException | SecurityException cannotTell) {
            return true;
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
