package dev.batchwise.batch;

import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.status.RunStage;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the items of batch jobs stand for, implemented by the feature that owns that work (reconciliation: in stage
 * {@code VERIFYING} one atom to score per item, in stage {@code INFERRING} one test to infer atoms from). The batch
 * path knows requests and results; this port builds the one from the item's subject and records the other on it,
 * inside the batch path's own transaction. Every job belongs to one stage, which each call names.
 */
public interface BatchWorkload {

    /** One item: what it stands for (an atom, or a test: stored as the item's atom_id) and its custom id. */
    record WorkItem(UUID atomId, String customId) {
    }

    /** The final outcome of an item: its result (a success, or a failure with its reason) and where it came from. */
    record ItemOutcome(UUID atomId, LlmResult result, ResultSource source) {
    }

    /** Where a result came from: the provider batch or a real-time call. */
    enum ResultSource { BATCH, REALTIME }

    /**
     * The batch path's update of one chunk's items: an UPDATE with its arguments ($1 to $n, n = {@code
     * args.size()}) that returns {@code custom_id, atom_id} and {@code final} (the item became SUCCEEDED or
     * FAILED) of each item it changed, and never changes an item twice.
     */
    record ItemUpdate(String sql, Tuple args) {
    }

    /** The request of each item, under the item's custom id, built the same way every time it is asked for. */
    Uni<List<LlmRequest>> requests(RunStage stage, List<WorkItem> items);

    /** Records final outcomes on their subjects, in the caller's transaction {@code tx}. */
    Uni<Void> apply(SqlConnection tx, RunStage stage, List<ItemOutcome> outcomes);

    /**
     * Runs {@code items} and records the final outcomes of the items it changed ({@code results} by custom id,
     * from {@code source}), in the caller's transaction {@code tx}; the number of items changed. This default
     * sends two statements; a workload may override it to send one, with its write joined to the item update.
     */
    default Uni<Integer> applyWith(SqlConnection tx, RunStage stage, ItemUpdate items, Map<String, LlmResult> results,
                                   ResultSource source) {
        return tx.preparedQuery(items.sql()).execute(items.args()).flatMap(rows -> {
            List<ItemOutcome> outcomes = new ArrayList<>();
            rows.forEach(row -> {
                if (row.getBoolean("final")) {
                    outcomes.add(new ItemOutcome(row.getUUID("atom_id"), results.get(row.getString("custom_id")),
                            source));
                }
            });
            int changed = rows.rowCount();
            return outcomes.isEmpty() ? Uni.createFrom().item(changed) : apply(tx, stage, outcomes).replaceWith(changed);
        });
    }

    /**
     * A job's {@code items} requests of run {@code runId} will not go through a provider batch after all ({@code
     * why}: what failed, in words) and are sent in real time instead. Recorded for the run in the caller's
     * transaction {@code tx}, the one that moves the job on, so the run's explanation and the job never disagree.
     */
    Uni<Void> fellBackToRealtime(SqlConnection tx, String runId, RunStage stage, int items, String why);
}
