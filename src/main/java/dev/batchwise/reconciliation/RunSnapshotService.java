package dev.batchwise.reconciliation;

import dev.batchwise.database.Database;
import dev.batchwise.batch.BatchRuns;
import dev.batchwise.status.BatchProgress;
import dev.batchwise.status.RunSnapshots;
import dev.batchwise.status.RunStatus;
import dev.batchwise.status.StatusEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;

/**
 * A run's state, read from what is stored (so it is the same after any restart), for the API and for every
 * status event. Progress: requests at a provider (batch) or atoms under way (real time) as submitted; atoms with
 * an outcome as completed, those whose call failed for good as failed.
 */
@ApplicationScoped
public class RunSnapshotService implements RunSnapshots {

    private final Database database;
    private final BatchRuns batchRuns;

    RunSnapshotService(Database database, BatchRuns batchRuns) {
        this.database = database;
        this.batchRuns = batchRuns;
    }

    /** The run's state, or a null item when there is no such run. */
    public Uni<RunState> state(String runId) {
        return database.pool().preparedQuery("select r.run_id, r.status, r.mode, r.mode_reason, r.provider, r.atom_count,"
                        + " r.parts, r.parts_received,"
                        + " r.received_at, r.updated_at, r.completed_at,"
                        + " (select count(*) from atoms a where a.run_id = r.run_id and a.scored_at is not null"
                        + "   and a.score_source <> 'FAILED') as completed,"
                        + " (select count(*) from atoms a where a.run_id = r.run_id and a.score_source = 'FAILED') as failed"
                        + " from reconciliation_runs r where r.run_id = $1")
                .execute(Tuple.of(runId))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    Row row = rows.iterator().next();
                    RunStatus status = RunStatus.valueOf(row.getString("status"));
                    String mode = row.getString("mode");
                    Uni<Integer> submitted = "BATCH".equals(mode)
                            ? batchRuns.of(runId).map(BatchRuns.Jobs::submittedRequests)
                            : Uni.createFrom().item(status == RunStatus.RECEIVED ? 0 : row.getInteger("atom_count"));
                    return submitted.map(sent -> new RunState(runId, status, lower(mode), row.getString("mode_reason"),
                            lower(row.getString("provider")), row.getInteger("atom_count"),
                            row.getInteger("parts"), row.getInteger("parts_received"),
                            new BatchProgress(sent, row.getLong("completed").intValue(), row.getLong("failed").intValue()),
                            null, instant(row.getOffsetDateTime("received_at")), instant(row.getOffsetDateTime("updated_at")),
                            instant(row.getOffsetDateTime("completed_at"))));
                });
    }

    @Override
    public Uni<StatusEvent> current(String runId) {
        return state(runId).map(state -> state == null ? null : new StatusEvent(state.runId(), state.status(),
                state.batchProgress(), state.estimatedTimeRemaining(), Instant.now()));
    }

    private static String lower(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
