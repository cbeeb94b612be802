package dev.batchwise.reconciliation;

import dev.batchwise.database.Database;
import dev.batchwise.batch.BatchConfig;
import dev.batchwise.batch.BatchWorkload.ItemOutcome;
import dev.batchwise.batch.BatchWorkload.ResultSource;
import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.llm.Provider;
import dev.batchwise.llm.realtime.RealtimeLlmService;
import dev.batchwise.status.Outbox;
import dev.batchwise.status.RunStage;
import io.vertx.mutiny.sqlclient.Row;
import io.quarkus.logging.Log;
import dev.batchwise.platform.Chunks;
import dev.batchwise.platform.Periodic;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The real-time path for a run's current stage: its subjects without an outcome (atoms to score, or tests to infer
 * atoms from: {@link StageWork}) go through {@link RealtimeLlmService}, at most {@code llm.realtime.concurrency} at
 * once, each result recorded as it comes; once every subject has an outcome the stage ends (VERIFIED, or on to
 * verifying). The instance that works on a run holds a lease on it (renewed while it works), so after a crash any
 * instance takes the run over and sends only what has no outcome yet.
 */
@ApplicationScoped
class RealtimeRuns {

    private final Database database;
    private final RealtimeLlmService realtime;
    private final LlmConfig llm;
    private final BatchConfig batch;
    private final RunWorkload work;
    private final Outbox outbox;
    private Cancellable ticks = () -> { };

    RealtimeRuns(Database database, RealtimeLlmService realtime, LlmConfig llm, BatchConfig batch, RunWorkload work,
                 Outbox outbox) {
        this.database = database;
        this.realtime = realtime;
        this.llm = llm;
        this.batch = batch;
        this.work = work;
        this.outbox = outbox;
    }

    /** Starts the run now, in the background; a run another instance holds is left to it. */
    void start(String runId) {
        run(runId).subscribe().with(ignored -> { },
                failure -> Log.warnf("run=%s real-time path stopped (taken over later): %s", runId, failure.toString()));
    }

    /** Runs whose lease ran out (their instance died) or that never had one are taken over. */
    void start(@Observes StartupEvent ignored,
               @ConfigProperty(name = "batchwise.realtime-runs.sweep-interval", defaultValue = "5s") Duration interval) {
        ticks = Periodic.every("real-time sweep", interval, this::sweep);
    }

    void stop(@Observes ShutdownEvent ignored) {
        ticks.cancel();
    }

    Uni<Void> sweep() {
        return database.pool().preparedQuery("select run_id from reconciliation_runs where status = 'VERIFYING'"
                        + " and (lease_until is null or lease_until < now()) limit 20")
                .execute().invoke(rows -> rows.forEach(row -> start(row.getString("run_id"))))
                .onFailure().invoke(failure -> Log.warnf("real-time sweep failed: %s", failure.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private String lease() {
        return "now() + interval '" + batch.claimLeaseMs() + " milliseconds'";
    }

    Uni<Void> run(String runId) {
        UUID token = UUID.randomUUID();
        return database.pool().preparedQuery("update reconciliation_runs set lease_token = $2, lease_until = " + lease()
                        + " where run_id = $1 and status = 'VERIFYING' and (lease_until is null or lease_until < now())"
                        + " returning provider, stage")
                .execute(Tuple.of(runId, token))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().voidItem();
                    }
                    Row row = rows.iterator().next();
                    return work(runId, token, Provider.valueOf(row.getString("provider")),
                            work.of(RunStage.valueOf(row.getString("stage"))));
                });
    }

    private Uni<Void> work(String runId, UUID token, Provider provider, StageWork stage) {
        Cancellable renewal = Multi.createFrom().ticks().every(Duration.ofMillis(Math.max(50, batch.claimLeaseMs() / 3)))
                .onItem().transformToUniAndConcatenate(tick -> database.pool().withConnection(conn -> renew(conn, runId, token))
                        .onFailure().recoverWithNull())
                .subscribe().with(ignored -> { }, failure -> { });
        return stage.unfinished(database.pool(), runId)
                .invoke(requests -> Log.infof("run=%s %d %s go through the real-time path", runId, requests.size(),
                        stage.subjects()))
                .onItem().transformToMulti(requests -> Chunks.bySizeOrTime(realtime.completeAll(requests,
                        llm.realtime().concurrency(), provider), 50, Duration.ofMillis(200)))
                // each chunk of outcomes is a status change too: the run's progress moves on browsers as it happens
                .onItem().transformToUniAndConcatenate(results -> database.pool().withTransaction(tx -> renew(tx, runId, token)
                        .flatMap(ignored -> stage.apply(tx, outcomes(results)))
                        .flatMap(ignored -> outbox.statusChanged(tx, runId)))
                        .invoke(outbox::committed))
                .collect().last()
                .flatMap(ignored -> finish(runId, token, stage))
                .onTermination().invoke(renewal::cancel);
    }

    private static List<ItemOutcome> outcomes(List<LlmResult> results) {
        return results.stream().map(r -> new ItemOutcome(UUID.fromString(r.customId()), r, ResultSource.REALTIME)).toList();
    }

    private Uni<Void> renew(SqlConnection conn, String runId, UUID token) {
        return conn.preparedQuery("update reconciliation_runs set lease_until = " + lease()
                        + " where run_id = $1 and lease_token = $2")
                .execute(Tuple.of(runId, token)).map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw new IllegalStateException("run " + runId + ": the real-time lease was lost");
                    }
                    return null;
                });
    }

    /**
     * The stage ends when every subject has an outcome; otherwise the lease is let go and a sweep finishes it. A run
     * that goes on to verifying is announced and its atoms published; its verification is a run of its own again.
     */
    private Uni<Void> finish(String runId, UUID token, StageWork stage) {
        return database.pool().withTransaction(tx -> renew(tx, runId, token)
                        .flatMap(ignored -> stage.finishIfDone(tx, runId))
                        .flatMap(ended -> ended ? Uni.createFrom().item(true)
                                : tx.preparedQuery("update reconciliation_runs set lease_until = null"
                                                + " where run_id = $1 and lease_token = $2")
                                        .execute(Tuple.of(runId, token)).replaceWith(false)))
                .invoke(ended -> {
                    if (ended) {
                        outbox.committed();
                    }
                })
                .replaceWithVoid();
    }
}
