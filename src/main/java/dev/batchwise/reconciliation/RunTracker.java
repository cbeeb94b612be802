package dev.batchwise.reconciliation;

import dev.batchwise.database.Database;
import dev.batchwise.batch.BatchCompleted;
import dev.batchwise.batch.BatchRuns;
import dev.batchwise.messaging.InvalidRecordException;
import dev.batchwise.messaging.JsonRecords;
import dev.batchwise.messaging.RecordHandling;
import dev.batchwise.status.Outbox;
import dev.batchwise.status.RunStage;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code batch.completed}: when the last job of a batch run's stage is done, the stage ends in the same
 * transaction: a verifying run is VERIFIED, an inferring one hands its atoms on to verifying ({@link StageWork}).
 * Idempotent: a redelivered record finds the stage already ended, or jobs still open.
 */
@ApplicationScoped
class RunTracker {

    static final String CHANNEL = "batch-completed-in";

    private final JsonRecords records;
    private final Database database;
    private final BatchRuns batchRuns;
    private final RunWorkload work;
    private final Outbox outbox;

    RunTracker(JsonRecords records, Database database, BatchRuns batchRuns, RunWorkload work, Outbox outbox) {
        this.records = records;
        this.database = database;
        this.batchRuns = batchRuns;
        this.work = work;
        this.outbox = outbox;
    }

    @Incoming(CHANNEL)
    public Uni<Void> onBatchCompleted(String value) {
        return RecordHandling.handle("batch.completed", () -> records.read(value, BatchCompleted.class),
                completed -> "run=" + completed.runId(), this::track);
    }

    private Uni<Void> track(BatchCompleted completed) {
        String runId = completed.runId();
        return database.pool().withTransaction(tx -> tx.preparedQuery("select status, stage from reconciliation_runs"
                                + " where run_id = $1 for update").execute(Tuple.of(runId))
                        .flatMap(rows -> {
                            if (rows.size() == 0) {
                                throw new InvalidRecordException("runId: no run '" + runId + "' for job " + completed.jobId());
                            }
                            var run = rows.iterator().next();
                            if (!"BATCH_PROCESSING".equals(run.getString("status"))) {
                                return Uni.createFrom().item(false);
                            }
                            RunStage stage = RunStage.valueOf(run.getString("stage"));
                            return batchRuns.of(tx, runId, stage).flatMap(jobs -> jobs.openJobs() > 0
                                    ? Uni.createFrom().item(false)
                                    : work.of(stage).finishIfDone(tx, runId));
                        }))
                .invoke(ended -> {
                    if (ended) {
                        Log.infof("run=%s: the last job of its stage is done", runId);
                        outbox.committed();
                    }
                })
                .replaceWithVoid();
    }
}
