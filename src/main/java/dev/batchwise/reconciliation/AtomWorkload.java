package dev.batchwise.reconciliation;

import dev.batchwise.batch.BatchWorkload.ItemOutcome;
import dev.batchwise.batch.BatchWorkload.ItemUpdate;
import dev.batchwise.batch.BatchWorkload.ResultSource;
import dev.batchwise.batch.BatchWorkload.WorkItem;
import dev.batchwise.database.Database;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.status.Outbox;
import dev.batchwise.status.RunStage;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Stage verifying: the subjects are atoms to score; their requests are built from the atoms, their outcomes scored. */
@ApplicationScoped
class AtomWorkload implements StageWork {

    private final Database database;
    private final AtomScores scores;
    private final Outbox outbox;

    AtomWorkload(Database database, AtomScores scores, Outbox outbox) {
        this.database = database;
        this.scores = scores;
        this.outbox = outbox;
    }

    @Override
    public RunStage stage() {
        return RunStage.VERIFYING;
    }

    @Override
    public String subjects() {
        return "atoms";
    }

    @Override
    public Uni<List<LlmRequest>> requests(List<WorkItem> items) {
        UUID[] ids = items.stream().map(WorkItem::atomId).toArray(UUID[]::new);
        return database.pool().preparedQuery("select id, description, category from atoms where id = any($1)")
                .execute(Tuple.of(ids)).map(rows -> {
                    Map<UUID, LlmRequest> byAtom = new HashMap<>();
                    Map<UUID, String> customIds = new HashMap<>();
                    items.forEach(item -> customIds.put(item.atomId(), item.customId()));
                    rows.forEach(row -> byAtom.put(row.getUUID("id"), AtomRequests.of(customIds.get(row.getUUID("id")),
                            row.getString("description"), row.getString("category"))));
                    List<LlmRequest> requests = new ArrayList<>(items.size());
                    for (WorkItem item : items) {
                        LlmRequest request = byAtom.get(item.atomId());
                        if (request == null) {
                            throw new IllegalStateException("item " + item.customId() + " names atom " + item.atomId()
                                    + ", which does not exist");
                        }
                        requests.add(request);
                    }
                    return requests;
                });
    }

    @Override
    public Uni<List<LlmRequest>> unfinished(SqlClient client, String runId) {
        return client.preparedQuery("select id, description, category from atoms where run_id = $1 and scored_at is null")
                .execute(Tuple.of(runId))
                .map(rows -> {
                    List<LlmRequest> requests = new ArrayList<>(rows.size());
                    rows.forEach(row -> requests.add(AtomRequests.of(row.getUUID("id").toString(),
                            row.getString("description"), row.getString("category"))));
                    return requests;
                });
    }

    @Override
    public Uni<Void> apply(SqlConnection tx, List<ItemOutcome> outcomes) {
        return scores.apply(tx, outcomes);
    }

    /** The batch path's item update and the atoms' scores in one statement per chunk ({@link AtomScores#applyWith}). */
    Uni<Integer> applyWith(SqlConnection tx, ItemUpdate items, Map<String, LlmResult> results, ResultSource source) {
        return scores.applyWith(tx, items, results, source);
    }

    @Override
    public Uni<Boolean> finishIfDone(SqlConnection tx, String runId) {
        return tx.preparedQuery("update reconciliation_runs set status = 'VERIFIED', completed_at = now(),"
                        + " updated_at = now(), lease_token = null, lease_until = null where run_id = $1"
                        + " and stage = 'VERIFYING' and status in ('VERIFYING', 'BATCH_PROCESSING')"
                        + " and not exists (select 1 from atoms where run_id = $1 and scored_at is null)")
                .execute(Tuple.of(runId))
                .flatMap(rows -> {
                    if (rows.rowCount() == 0) {
                        return Uni.createFrom().item(false);
                    }
                    Log.infof("run=%s verified: every atom has an outcome", runId);
                    return outbox.statusChanged(tx, runId).replaceWith(true);
                });
    }
}
