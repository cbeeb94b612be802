package dev.batchwise.batch;

import dev.batchwise.database.Database;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** What the batch path can tell about a run's jobs, for the features that track runs. */
@ApplicationScoped
public class BatchRuns {

    /** A run's jobs: requests at a provider (or done), jobs in all and jobs not done yet. */
    public record Jobs(int submittedRequests, int jobs, int openJobs) {
    }

    private final Database database;

    BatchRuns(Database database) {
        this.database = database;
    }

    public Uni<Jobs> of(String runId) {
        return of(database.pool(), runId);
    }

    /** As {@link #of(String)}, on the caller's connection (inside its transaction). */
    public Uni<Jobs> of(SqlClient client, String runId) {
        return client.preparedQuery("select coalesce(sum(total_requests) filter (where submitted_at is not null"
                        + " or collected_at is not null), 0) as submitted, count(*) as jobs,"
                        + " count(*) filter (where completed_at is null) as open from batch_jobs"
                        + " where reconciliation_run_id = $1")
                .execute(Tuple.of(runId)).map(rows -> {
                    var row = rows.iterator().next();
                    return new Jobs(row.getLong("submitted").intValue(), row.getLong("jobs").intValue(),
                            row.getLong("open").intValue());
                });
    }
}
