package dev.batchwise.reconciliation;

import dev.batchwise.batch.BatchWorkload.ItemOutcome;
import dev.batchwise.batch.BatchWorkload.WorkItem;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.status.RunStage;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.util.List;

/**
 * The work of one stage of a run, as the batch path ({@link RunWorkload}) and the real-time path
 * ({@link RealtimeRuns}) both do it: verifying scores atoms ({@link AtomWorkload}), inferring reads atoms out of
 * tests ({@link TestWorkload}). A request's custom id is its subject's id (an atom's, a test's).
 */
interface StageWork {

    RunStage stage();

    /** What the stage counts, for reasons ("atoms", "tests"). */
    String subjects();

    /** The requests of the given items, in their order, each under the item's custom id. */
    Uni<List<LlmRequest>> requests(List<WorkItem> items);

    /** The requests of the run's subjects that have no outcome yet, under their subjects' ids. */
    Uni<List<LlmRequest>> unfinished(SqlClient client, String runId);

    /** Records final outcomes on their subjects, in the caller's transaction; a subject with one keeps it. */
    Uni<Void> apply(SqlConnection tx, List<ItemOutcome> outcomes);

    /**
     * When every subject of the run has an outcome, ends the stage in {@code tx} (VERIFIED; or on to verifying)
     * and announces it; true when it did.
     */
    Uni<Boolean> finishIfDone(SqlConnection tx, String runId);
}
