package dev.batchwise.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The test database as an operator sees it: makes PostgreSQL refuse the service's connections (and drops the open
 * ones), then lets them in again. Runs psql as the postgres OS user through the local socket, as bin/setup does.
 */
public final class Postgres {

    private Postgres() {
    }

    public static String database() {
        return ConfigProvider.getConfig().getOptionalValue("batchwise.db.name", String.class).orElse("batchwise_test");
    }

    /** New connections to the test database are refused and open ones are ended. */
    public static void refuseConnections() {
        psql("alter database \"" + database() + "\" allow_connections false;"
                + " select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + database() + "';");
    }

    public static void allowConnections() {
        psql("alter database \"" + database() + "\" allow_connections true;");
    }

    private static void psql(String sql) {
        try {
            Process process = new ProcessBuilder("su", "postgres", "-s", "/bin/sh", "-c",
                    "psql -X -q -v ON_ERROR_STOP=1 -d postgres")
                    .redirectErrorStream(true).start();
            process.getOutputStream().write(sql.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("psql failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run psql as postgres", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
