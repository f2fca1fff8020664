package dev.tailor.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * A PostgreSQL session-level advisory lock named by a job id, held on a connection of its own
 * while the job runs: two processes (a CLI run and a worker, or two workers) never run one job at
 * once, and the lock goes away with a process that dies.
 */
final class AdvisoryLock {

    private AdvisoryLock() {}

    static boolean tryLock(Connection connection, UUID id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select pg_try_advisory_lock(?)")) {
            statement.setLong(1, key(id));
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getBoolean(1);
            }
        }
    }

    /** Releases the lock; a session the database has already ended (an outage) took its lock with it. */
    static void unlock(Connection connection, UUID id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select pg_advisory_unlock(?)")) {
            statement.setLong(1, key(id));
            statement.execute();
        } catch (SQLException e) {
            if (connection.isClosed() || !connection.isValid(2)) {
                return;
            }
            throw e;
        }
    }

    private static long key(UUID id) {
        return id.getMostSignificantBits() ^ id.getLeastSignificantBits();
    }
}
