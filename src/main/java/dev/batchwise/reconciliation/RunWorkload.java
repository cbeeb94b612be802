package dev.batchwise.reconciliation;

import dev.batchwise.batch.BatchWorkload;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.status.RunStage;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;

/** The batch path's items, by the stage of their job: atoms to score, or tests to infer atoms from. */
@ApplicationScoped
class RunWorkload implements BatchWorkload {

    private final AtomWorkload atoms;
    private final TestWorkload tests;

    RunWorkload(AtomWorkload atoms, TestWorkload tests) {
        this.atoms = atoms;
        this.tests = tests;
    }

    StageWork of(RunStage stage) {
        return stage == RunStage.INFERRING ? tests : atoms;
    }

    @Override
    public Uni<List<LlmRequest>> requests(RunStage stage, List<WorkItem> items) {
        return of(stage).requests(items);
    }

    @Override
    public Uni<Void> apply(SqlConnection tx, RunStage stage, List<ItemOutcome> outcomes) {
        return of(stage).apply(tx, outcomes);
    }

    /** Verifying: the item update and the atoms' scores in one statement; inferring: the two statements. */
    @Override
    public Uni<Integer> applyWith(SqlConnection tx, RunStage stage, ItemUpdate items, Map<String, LlmResult> results,
                                  ResultSource source) {
        return stage == RunStage.VERIFYING ? atoms.applyWith(tx, items, results, source)
                : BatchWorkload.super.applyWith(tx, stage, items, results, source);
    }

    /**
     * Adds the fallback to the run's mode reason: {@code "21 atoms > threshold 20 (BATCH_THRESHOLD); batch submit
     * failed 5 times (...), fell back to real time"}, naming the share when only some of its jobs fell back. The
     * mode stays BATCH: the run was routed to batch and its jobs still finish it (through batch.completed).
     */
    @Override
    public Uni<Void> fellBackToRealtime(SqlConnection tx, String runId, RunStage stage, int items, String why) {
        String total = stage == RunStage.INFERRING ? "test_count" : "atom_count";
        return tx.preparedQuery("update reconciliation_runs set mode_reason = concat_ws('; ', mode_reason, $2::text"
                        + " || ', ' || case when $3::int < " + total + " then $3::int || ' of ' || " + total + " || ' "
                        + of(stage).subjects() + " ' else '' end || 'fell back to real time'), updated_at = now()"
                        + " where run_id = $1")
                .execute(Tuple.of(runId, why, items)).replaceWithVoid();
    }
}
