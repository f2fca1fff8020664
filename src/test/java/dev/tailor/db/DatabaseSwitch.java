package dev.tailor.db;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Takes the service's database away and gives it back, as an operator restarting an external
 * PostgreSQL does: connections are refused and those open are cut. Works on another database of the
 * same server, since the service's own is closed meanwhile.
 */
public final class DatabaseSwitch {

    private DatabaseSwitch() {}

    public static void refuseConnections(DataSource dataSource) throws SQLException {
        administer(
                dataSource,
                "alter database postgres allow_connections false",
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = 'postgres'");
    }

    public static void allowConnections(DataSource dataSource) throws SQLException {
        administer(dataSource, "alter database postgres allow_connections true");
    }

    private static void administer(DataSource dataSource, String... statements) throws SQLException {
        String url = ((HikariDataSource) dataSource).getJdbcUrl().replace("/postgres?", "/template1?");
        try (Connection connection = DriverManager.getConnection(url, "postgres", null);
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }
}
