package dev.batchwise.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The test database over plain JDBC, as the role the service uses, for tests of the packaged service: what the
 * service has written is read here, never through the service itself. The database is {@code batchwise.db.name}
 * (system property), else {@code DB_NAME}, else {@code batchwise_test}.
 */
public final class Db {

    private Db() {
    }

    public static String name() {
        String property = System.getProperty("batchwise.db.name");
        if (property != null && !property.isBlank()) {
            return property;
        }
        String env = System.getenv("DB_NAME");
        return env == null || env.isBlank() ? "batchwise_test" : env;
    }

    public static String host() {
        return System.getProperty("batchwise.db.host", "127.0.0.1");
    }

    public static int port() {
        return Integer.getInteger("batchwise.db.port", 5432);
    }

    public static Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port() + "/" + name(),
                System.getProperty("batchwise.db.user", "batchwise"),
                System.getProperty("batchwise.db.password", "batchwise"));
    }

    /** An empty schema, so the next service start migrates from V1. Never between a kill and a restart. */
    public static void resetSchema() {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("drop schema public cascade");
            statement.execute("create schema public");
        } catch (SQLException e) {
            throw new IllegalStateException("could not empty the schema of database " + name(), e);
        }
    }

    /** The rows of a query, each column by its label; {@code ?} parameters. */
    public static List<Map<String, Object>> rows(String sql, Object... args) {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            try (ResultSet result = statement.executeQuery()) {
                ResultSetMetaData meta = result.getMetaData();
                List<Map<String, Object>> rows = new ArrayList<>();
                while (result.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int c = 1; c <= meta.getColumnCount(); c++) {
                        row.put(meta.getColumnLabel(c), result.getObject(c));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + sql, e);
        }
    }

    /** The first column of the only row, as a long (a count). */
    public static long number(String sql, Object... args) {
        List<Map<String, Object>> rows = rows(sql, args);
        if (rows.size() != 1) {
            throw new IllegalStateException(rows.size() + " rows, expected 1: " + sql);
        }
        Object value = rows.get(0).values().iterator().next();
        return value == null ? 0 : ((Number) value).longValue();
    }

    /** Whether the table exists yet (the service creates the schema at its first start). */
    public static boolean hasTable(String table) {
        return number("select count(*) from information_schema.tables where table_schema = 'public'"
                + " and table_name = ?", table) > 0;
    }
}
