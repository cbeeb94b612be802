package dev.batchwise.reconciliation;

import dev.batchwise.status.RunStatus;
import java.time.Instant;

/** A run as the REST API shows it. */
public record RunView(String runId, RunStatus status, ReconciliationRun.Mode mode, int atomCount,
                      Instant receivedAt, Instant completedAt, String error) {

    static RunView of(ReconciliationRun run) {
        return new RunView(run.runId, run.status, run.mode, run.atomCount, run.receivedAt, run.completedAt, run.error);
    }
}
