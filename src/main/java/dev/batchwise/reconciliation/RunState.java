package dev.batchwise.reconciliation;

import dev.batchwise.status.BatchProgress;
import dev.batchwise.status.RunStatus;
import java.time.Instant;

/**
 * A run as {@code GET /api/runs/{runId}} shows it.
 *
 * @param atomCount              atoms stored so far: all of them once every part is in
 * @param parts                  how many atoms.inferred records (parts) the run comes in
 * @param partsReceived          how many of them are stored; the run stays RECEIVED until all are
 * @param estimatedTimeRemaining human-readable ({@code ~12 minutes}); null when there is no basis for one yet
 * @param createdAt              when the run was received
 * @param finishedAt             when it reached VERIFIED or FAILED
 */
public record RunState(String runId, RunStatus status, String mode, String modeReason, String provider,
                       int atomCount, int parts, int partsReceived, BatchProgress batchProgress, String estimatedTimeRemaining, Instant createdAt,
                       Instant updatedAt, Instant finishedAt) {
}
