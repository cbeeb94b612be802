package dev.batchwise.reconciliation;

import dev.batchwise.database.Database;
import dev.batchwise.batch.BatchWorkload;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.LlmResult;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The batch path's items are atoms to score: their requests are built from the atoms, their outcomes scored. */
@ApplicationScoped
class AtomWorkload implements BatchWorkload {

    private final Database database;
    private final AtomScores scores;

    AtomWorkload(Database database, AtomScores scores) {
        this.database = database;
        this.scores = scores;
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
    public Uni<Void> apply(SqlConnection tx, List<ItemOutcome> outcomes) {
        return scores.apply(tx, outcomes);
    }

    @Override
    public Uni<Integer> applyWith(SqlConnection tx, ItemUpdate items, Map<String, LlmResult> results,
                                  ResultSource source) {
        return scores.applyWith(tx, items, results, source);
    }

    /**
     * Adds the fallback to the run's mode reason: {@code "21 atoms > threshold 20 (BATCH_THRESHOLD); batch submit
     * failed 5 times (...), fell back to real time"}, naming the share when only some of its jobs fell back. The
     * mode stays BATCH: the run was routed to batch and its jobs still finish it (through batch.completed).
     */
    @Override
    public Uni<Void> fellBackToRealtime(SqlConnection tx, String runId, int items, String why) {
        return tx.preparedQuery("update reconciliation_runs set mode_reason = concat_ws('; ', mode_reason, $2::text"
                        + " || ', ' || case when $3::int < atom_count then $3::int || ' of ' || atom_count || ' atoms '"
                        + " else '' end || 'fell back to real time'), updated_at = now() where run_id = $1")
                .execute(Tuple.of(runId, why, items)).replaceWithVoid();
    }
}
