package dev.tailor.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A process's hold on {@code postgres.attach}: shared while it uses the embedded server, exclusive
 * for the one process (the holder of {@code postgres.owner}) that checks nobody else does before it
 * stops or replaces the server. The operating system drops it with the process, even on
 * {@code kill -9}.
 */
final class AttachLock implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private FileLock lock;

    private AttachLock(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * A shared hold on {@code file}, waiting up to {@code wait} while a process holds it
     * exclusively (it is deciding whether to stop the server, which takes seconds).
     */
    static AttachLock share(Path file, Duration wait) {
        FileChannel channel;
        try {
            channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open " + file, e);
        }
        AttachLock attach = new AttachLock(file, channel);
        try {
            attach.shareAgain(wait);
        } catch (RuntimeException e) {
            attach.close();
            throw e;
        }
        return attach;
    }

    /** Takes the shared hold again after {@link #takeAlone}, waiting up to {@code wait}. */
    void shareAgain(Duration wait) {
        release();
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                try {
                    lock = channel.tryLock(0, Long.MAX_VALUE, true);
                } catch (OverlappingFileLockException heldInThisJvm) {
                    // a second opener in one JVM (tests play a second process so): the first one's hold counts
                    return;
                }
                if (lock != null) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("another Tailor process has been stopping the PostgreSQL beside "
                            + file + " for " + wait.toSeconds() + " s; try again when it has ended, or stop it");
                }
                Thread.sleep(100);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot lock " + file, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to attach to the PostgreSQL beside " + file, e);
        }
    }

    /**
     * Trades this process's shared hold for an exclusive one if no other process holds the lock.
     * Returns false, holding nothing, when another does.
     */
    boolean takeAlone() {
        release();
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            lock = null;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot lock " + file, e);
        }
        return lock != null;
    }

    private void release() {
        if (lock != null) {
            try {
                lock.release();
            } catch (IOException e) {
                // closing the channel releases it anyway
            }
            lock = null;
        }
    }

    @Override
    public void close() {
        lock = null;
        try {
            channel.close();
        } catch (IOException e) {
            // the process's end releases it anyway
        }
    }
}
