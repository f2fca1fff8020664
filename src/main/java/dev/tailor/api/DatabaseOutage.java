package dev.tailor.api;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionException;
import org.springframework.web.ErrorResponseException;

/**
 * Whether a failure means the database cannot be reached (stopped, restarting, refusing
 * connections): the service's state for a while, not the request's fault or a bug. Such a request
 * is answered 503 with Retry-After, and the pool reconnects by itself once the database is back.
 * A failure that only might be one (a connection the server closed under a query surfaces as a
 * failed rollback) is settled by asking the pool for a connection.
 */
@Component
public class DatabaseOutage {

    static final long RETRY_AFTER_SECONDS = 5;

    private final DataSource dataSource;

    DatabaseOutage(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public boolean explains(Throwable failure) {
        return explains(failure, dataSource);
    }

    /** The same, for a long-running job that holds its own {@code dataSource}. */
    public static boolean explains(Throwable failure, DataSource dataSource) {
        boolean databaseInvolved = false;
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof DataAccessResourceFailureException
                    || t instanceof TransientDataAccessResourceException
                    || t instanceof CannotCreateTransactionException
                    || t instanceof SQLTransientConnectionException) {
                return true;
            }
            // SQLSTATE class 08: connection exception; 57P01-57P03: the server shut down or is starting
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
            databaseInvolved |= t instanceof SQLException
                    || t instanceof DataAccessException
                    || t instanceof TransactionException
                    || t.getClass().getName().startsWith("org.hibernate.");
        }
        return databaseInvolved && !reachable(dataSource);
    }

    private static boolean reachable(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    public static ErrorResponseException problem() {
        return Problems.unavailable(
                "the catalogue database cannot be reached just now; nothing was changed, try again shortly",
                RETRY_AFTER_SECONDS,
                Map.of());
    }
}
