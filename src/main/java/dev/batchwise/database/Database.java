package dev.batchwise.database;

import io.agroal.api.AgroalDataSource;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/**
 * The reactive PostgreSQL pool, looked up when first used rather than when a bean is made: the standalone
 * {@code simulator} profile has no database at all (its datasource is inactive), and the features that would
 * use it there are never asked to. Also the JDBC pool of the same datasource (same URL, role and password), for
 * what the reactive client cannot do: {@code COPY}. JDBC blocks, so it is used on worker threads only.
 */
@ApplicationScoped
public class Database {

    private final Instance<Pool> pool;
    private final Instance<AgroalDataSource> jdbc;

    Database(Instance<Pool> pool, Instance<AgroalDataSource> jdbc) {
        this.pool = pool;
        this.jdbc = jdbc;
    }

    public Pool pool() {
        return pool.get();
    }

    /** The JDBC pool; blocking, never on the event loop. */
    public AgroalDataSource jdbc() {
        return jdbc.get();
    }
}
