package dev.batchwise.database;

import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/**
 * The reactive PostgreSQL pool, looked up when first used rather than when a bean is made: the standalone
 * {@code simulator} profile has no database at all (its datasource is inactive), and the features that would
 * use it there are never asked to.
 */
@ApplicationScoped
public class Database {

    private final Instance<Pool> pool;

    Database(Instance<Pool> pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool.get();
    }
}
