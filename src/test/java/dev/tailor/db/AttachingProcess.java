package dev.tailor.db;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;

/**
 * A second process on a home, driven line by line from its standard input, for races a second
 * opener in the test's own JVM cannot show (file locks are the process's): it attaches to the
 * home's server and says so ({@code attached}), connects and reads table {@code kept} on
 * {@code connect} ({@code read N}), and lets go of the server on {@code close} ({@code closed}).
 */
public final class AttachingProcess {

    private AttachingProcess() {}

    public static void main(String[] args) throws Exception {
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        EmbeddedPostgresServer server = EmbeddedPostgresServer.attachOrStart(Path.of(args[0]));
        System.out.println("attached owns=" + server.ownsServer());
        for (String command = commands.readLine(); command != null; command = commands.readLine()) {
            switch (command) {
                case "connect" -> {
                    try (Connection connection = DriverManager.getConnection(server.jdbcUrl());
                            ResultSet row = connection.createStatement().executeQuery("select n from kept")) {
                        row.next();
                        System.out.println("read " + row.getInt(1));
                    }
                }
                case "close" -> {
                    server.close();
                    System.out.println("closed");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown command " + command);
            }
        }
    }
}
