package dev.batchwise.database;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.interceptor.Interceptor;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;

/**
 * Applies the Flyway migrations at start-up, after checking that PostgreSQL answers. Quarkus'
 * own migrate-at-start would fail with a long driver stack trace; an operator needs one line that
 * says which server and database were tried and how to start it. Runs before the Kafka consumers
 * start, so no record is handled against a missing schema.
 */
@ApplicationScoped
class SchemaMigration {

    private final DatabaseConfig database;
    private final Instance<Flyway> flyway;
    private final boolean active;
    private final String jdbcUrl;
    private final String username;
    private final String password;

    SchemaMigration(DatabaseConfig database, Instance<Flyway> flyway,
                    @ConfigProperty(name = "quarkus.datasource.active", defaultValue = "true") boolean active,
                    @ConfigProperty(name = "quarkus.datasource.jdbc.url") String jdbcUrl,
                    @ConfigProperty(name = "quarkus.datasource.username") String username,
                    @ConfigProperty(name = "quarkus.datasource.password") String password) {
        this.database = database;
        this.flyway = flyway;
        this.active = active;
        this.jdbcUrl = jdbcUrl;
        this.username = username;
        this.password = password;
    }

    void migrate(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE + 10) StartupEvent ignored) {
        if (!active) {
            return; // the standalone simulator profile runs without a database
        }
        checkReachable();
        Flyway migrations = flyway.get();
        var result = migrations.migrate();
        Log.infof("database %s:%d/%s at schema version %s (%d migrations applied now)", database.host(),
                database.port(), database.name(), migrations.info().current().getVersion(), result.migrationsExecuted);
    }

    private void checkReachable() {
        DriverManager.setLoginTimeout(10);
        try (Connection ignored = DriverManager.getConnection(jdbcUrl, username, password)) {
            // reachable, and the role may log in
        } catch (SQLException e) {
            String line = "PostgreSQL is not reachable at " + database.host() + ":" + database.port()
                    + ", database '" + database.name() + "', user '" + username + "' (" + firstLine(e.getMessage())
                    + "). Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start;"
                    + " bin/setup creates the role and the databases.";
            Log.error(line);
            throw new DatabaseUnreachableException(line);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no reason given";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Start-up stops here: nothing can be stored without the database. */
    static final class DatabaseUnreachableException extends RuntimeException {
        DatabaseUnreachableException(String message) {
            super(message, null, false, false);
        }
    }
}
