package dev.batchwise.reconciliation;

import dev.batchwise.database.Database;
import dev.batchwise.batch.BatchCompleted;
import dev.batchwise.batch.BatchRuns;
import dev.batchwise.messaging.InvalidRecordException;
import dev.batchwise.messaging.JsonRecords;
import dev.batchwise.messaging.RecordHandling;
import dev.batchwise.status.Outbox;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code batch.completed}: when the last job of a batch run is done, the run is VERIFIED (and announced,
 * in the same transaction). Idempotent: a redelivered record finds the run already VERIFIED, or jobs still open.
 */
@ApplicationScoped
class RunTracker {

    static final String CHANNEL = "batch-completed-in";

    private final JsonRecords records;
    private final Database database;
    private final BatchRuns batchRuns;
    private final Outbox outbox;

    RunTracker(JsonRecords records, Database database, BatchRuns batchRuns, Outbox outbox) {
        this.records = records;
        this.database = database;
        this.batchRuns = batchRuns;
        this.outbox = outbox;
    }

    @Incoming(CHANNEL)
    public Uni<Void> onBatchCompleted(String value) {
        return RecordHandling.handle("batch.completed", () -> records.read(value, BatchCompleted.class),
                completed -> "run=" + completed.runId(), this::track);
    }

    private Uni<Void> track(BatchCompleted completed) {
        String runId = completed.runId();
        return database.pool().withTransaction(tx -> tx.preparedQuery("select status from reconciliation_runs where run_id = $1"
                                + " for update").execute(Tuple.of(runId))
                        .flatMap(rows -> {
                            if (rows.size() == 0) {
                                throw new InvalidRecordException("runId: no run '" + runId + "' for job " + completed.jobId());
                            }
                            if (!"BATCH_PROCESSING".equals(rows.iterator().next().getString("status"))) {
                                return Uni.createFrom().item(false);
                            }
                            return batchRuns.of(tx, runId).flatMap(jobs -> jobs.openJobs() > 0
                                    ? Uni.createFrom().item(false)
                                    : tx.preparedQuery("update reconciliation_runs set status = 'VERIFIED',"
                                                    + " completed_at = now(), updated_at = now() where run_id = $1")
                                            .execute(Tuple.of(runId))
                                            .flatMap(ignored -> outbox.statusChanged(tx, runId)).replaceWith(true));
                        }))
                .invoke(verified -> {
                    if (verified) {
                        Log.infof("run=%s verified: its last job is done", runId);
                        outbox.committed();
                    }
                })
                .replaceWithVoid();
    }
}
