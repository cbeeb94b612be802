package dev.batchwise.database;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Where PostgreSQL is ({@code DB_HOST}, {@code DB_PORT}, {@code DB_NAME}); both the reactive URL and
 * Flyway's JDBC URL are built from these in application.properties.
 */
@ConfigMapping(prefix = "batchwise.db")
public interface DatabaseConfig {

    @WithDefault("127.0.0.1")
    String host();

    @WithDefault("5432")
    @Min(1)
    @Max(65535)
    int port();

    @WithDefault("batchwise")
    String name();
}
