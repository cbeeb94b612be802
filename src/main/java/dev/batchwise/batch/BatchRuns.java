package dev.batchwise.batch;

import dev.batchwise.database.Database;
import dev.batchwise.status.RunStage;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the batch path can tell about a run's jobs, for the features that track runs. */
@ApplicationScoped
public class BatchRuns {

    /** A run's jobs of one stage: requests at a provider (or done), jobs in all and jobs not done yet. */
    public record Jobs(int submittedRequests, int jobs, int openJobs) {
    }

    private final Database database;

    BatchRuns(Database database) {
        this.database = database;
    }

    public Uni<Jobs> of(String runId, RunStage stage) {
        return of(database.pool(), runId, stage);
    }

    /** As {@link #of(String, RunStage)}, on the caller's connection (inside its transaction). */
    public Uni<Jobs> of(SqlClient client, String runId, RunStage stage) {
        return client.preparedQuery("select coalesce(sum(total_requests) filter (where submitted_at is not null"
                        + " or collected_at is not null), 0) as submitted, count(*) as jobs,"
                        + " count(*) filter (where completed_at is null) as open from batch_jobs"
                        + " where reconciliation_run_id = $1 and stage = $2")
                .execute(Tuple.of(runId, stage.name())).map(rows -> {
                    var row = rows.iterator().next();
                    return new Jobs(row.getLong("submitted").intValue(), row.getLong("jobs").intValue(),
                            row.getLong("open").intValue());
                });
    }

    /**
     * The time the run's batches still need ({@link TimeEstimate}); empty when there is no basis. "Similar size":
     * half to twice the job's requests, at the same provider, among the 50 latest batches that ended completed.
     */
    public Uni<Optional<Duration>> remaining(String runId, RunStage stage) {
        return database.pool().preparedQuery("select j.total_requests, j.completed_requests + j.failed_requests as done,"
                        + " j.ended_at is not null or j.completed_at is not null or j.collected_at is not null as ended,"
                        + " extract(epoch from now() - j.submitted_at)::float8 as elapsed,"
                        + " (select percentile_cont(0.5) within group (order by h.seconds) from"
                        + "   (select extract(epoch from e.ended_at - e.submitted_at)::float8 as seconds from batch_jobs e"
                        + "    where e.provider = j.provider and e.status = 'COMPLETED' and e.submitted_at is not null"
                        + "    and e.ended_at is not null and e.total_requests between j.total_requests / 2"
                        + "    and j.total_requests * 2 and e.id <> j.id order by e.ended_at desc limit 50) h) as typical"
                        + " from batch_jobs j where j.reconciliation_run_id = $1 and j.stage = $2")
                .execute(Tuple.of(runId, stage.name())).map(rows -> {
                    List<TimeEstimate.Job> jobs = new ArrayList<>();
                    rows.forEach(row -> jobs.add(new TimeEstimate.Job(row.getBoolean("ended"),
                            row.getInteger("total_requests"), row.getInteger("done"), row.getDouble("elapsed"),
                            row.getDouble("typical"))));
                    return jobs.isEmpty() ? Optional.<Duration>empty() : TimeEstimate.remaining(jobs);
                });
    }
}
