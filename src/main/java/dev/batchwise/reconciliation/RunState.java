package dev.batchwise.reconciliation;

import dev.batchwise.status.BatchProgress;
import dev.batchwise.status.RunStage;
import dev.batchwise.status.RunStatus;
import dev.batchwise.status.StatusEvent;
import java.time.Instant;

/**
 * A run as {@code GET /api/runs/{runId}} shows it.
 *
 * @param atomCount              atoms stored so far: all of them once every part is in
 * @param parts                  how many atoms.inferred records (parts) the run comes in
 * @param partsReceived          how many of them are stored; the run stays RECEIVED until all are
 * @param stage                  the pipeline step: {@code inferring} or {@code verifying}
 * @param seq                    grows with every status change of the run (as on {@code reconciliation.status})
 * @param estimatedTimeRemaining human-readable ({@code ~12 minutes}); {@code unknown} while there is no basis for
 *                               one; null once the run has ended
 * @param createdAt              when the run was received
 * @param finishedAt             when it reached VERIFIED or FAILED
 */
public record RunState(String runId, RunStatus status, RunStage stage, long seq, String mode, String modeReason,
                       String provider, int atomCount, int parts, int partsReceived, BatchProgress batchProgress,
                       String estimatedTimeRemaining, Instant createdAt, Instant updatedAt, Instant finishedAt) {

    /** The run's status event, as read {@code at}. */
    public StatusEvent event(Instant at) {
        return new StatusEvent(runId, status, stage, batchProgress, estimatedTimeRemaining, seq, at);
    }
}
