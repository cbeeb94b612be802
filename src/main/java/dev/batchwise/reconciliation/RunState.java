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
 * @param inference              the inference stage of a run that began on {@code inference.requested}; null for a
 *                               run that came as atoms
 */
public record RunState(String runId, RunStatus status, RunStage stage, long seq, String mode, String modeReason,
                       String provider, int atomCount, int parts, int partsReceived, BatchProgress batchProgress,
                       String estimatedTimeRemaining, Instant createdAt, Instant updatedAt, Instant finishedAt,
                       Inference inference) {

    /**
     * A run's inference stage.
     *
     * @param testCount     tests stored so far: all of them once every part is in
     * @param mode          how its tests went ({@code batch} | {@code realtime}); while inferring, the run's mode
     * @param modeReason    why, in words
     * @param inferred      tests with an outcome (atoms, an unreadable answer, or a failure)
     * @param failed        tests whose call failed for good (or that were too large to send)
     * @param unreadable    tests whose answer yielded no atom
     * @param inferredAt    when the atoms were handed on to verifying; null while inferring
     */
    public record Inference(int testCount, String mode, String modeReason, int inferred, int failed, int unreadable,
                            Instant inferredAt) {
    }

    /** The run's status event, as read {@code at}. */
    public StatusEvent event(Instant at) {
        return new StatusEvent(runId, status, stage, batchProgress, estimatedTimeRemaining, seq, at);
    }
}
