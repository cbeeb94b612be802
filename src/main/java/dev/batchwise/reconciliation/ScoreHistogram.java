package dev.batchwise.reconciliation;

import dev.batchwise.database.Database;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's scores in ten buckets of ten points (the last one takes 100 too), counted by the database so that a run
 * of 100,000 atoms costs one grouped query, not a page walk in the browser.
 */
@ApplicationScoped
public class ScoreHistogram {

    static final int BUCKETS = 10;
    static final int WIDTH = 10;

    /** Scores from {@code from} to {@code to}, both included. */
    public record Bucket(int from, int to, long count) {
    }

    /** {@code unscored}: atoms with no score yet, or none to come (unreadable answer, failed call). */
    public record Scores(List<Bucket> buckets, long scored, long unscored) {
    }

    private final Database database;

    ScoreHistogram(Database database) {
        this.database = database;
    }

    /** The run's histogram; a null item when there is no such run. */
    Uni<Scores> of(String runId) {
        return database.pool().preparedQuery("select case when a.quality_score is not null"
                        // least() skips nulls: without the case an unscored atom would count as 90-100
                        + " then least(a.quality_score / " + WIDTH + ", " + (BUCKETS - 1) + ") end as bucket,"
                        + " count(a.id) as atoms from reconciliation_runs r left join atoms a on a.run_id = r.run_id"
                        + " where r.run_id = $1 group by 1")
                .execute(Tuple.of(runId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    long[] counts = new long[BUCKETS];
                    long unscored = 0;
                    for (Row row : rows) {
                        Integer bucket = row.getInteger("bucket");
                        if (bucket == null) {
                            // unscored atoms; for a run without atoms, the left join's one row, counting 0
                            unscored += row.getLong("atoms");
                        } else {
                            counts[bucket] = row.getLong("atoms");
                        }
                    }
                    return build(counts, unscored);
                });
    }

    private static Scores build(long[] counts, long unscored) {
        List<Bucket> buckets = new ArrayList<>(BUCKETS);
        long scored = 0;
        for (int i = 0; i < BUCKETS; i++) {
            buckets.add(new Bucket(i * WIDTH, i == BUCKETS - 1 ? 100 : i * WIDTH + WIDTH - 1, counts[i]));
            scored += counts[i];
        }
        return new Scores(buckets, scored, unscored);
    }
}
