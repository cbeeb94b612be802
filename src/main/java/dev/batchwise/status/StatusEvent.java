package dev.batchwise.status;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Instant;

/**
 * One state of a run, as published on {@code reconciliation.status} and pushed to browsers. Every event
 * is a full snapshot, so a client that missed one is right again with the next.
 *
 * @param stage                  the pipeline step the run is in: {@code inferring} or {@code verifying}
 * @param estimatedTimeRemaining human-readable, e.g. {@code "~12 minutes"}; {@code "unknown"} while there is no
 *                               basis for one; null once the run has ended
 * @param seq                    grows with every status change of the run: an event with a seq not above the
 *                               last one a client holds is older news
 * @param at                     when this state was read from the database
 */
public record StatusEvent(
        @NotBlank String runId,
        @NotNull RunStatus status,
        @NotNull RunStage stage,
        @NotNull @Valid BatchProgress batchProgress,
        String estimatedTimeRemaining,
        @PositiveOrZero long seq,
        @NotNull Instant at) {
}
