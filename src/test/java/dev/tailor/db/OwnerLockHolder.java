package dev.tailor.db;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A process that takes a home's owner lock, as a process starting the embedded PostgreSQL does
 * before initdb, says {@code locked}, and holds it until it is killed: a starter that dies before
 * its server comes up.
 */
public final class OwnerLockHolder {

    private OwnerLockHolder() {}

    public static void main(String[] args) throws Exception {
        try (FileChannel owner = FileChannel.open(
                Path.of(args[0]).resolveSibling("postgres.owner"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            owner.lock();
            System.out.println("locked");
            System.in.read();
        }
    }
}
