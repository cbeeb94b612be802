package dev.batchwise.status;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;

/**
 * One state of a run, as published on {@code reconciliation.status} and pushed to browsers. Every event
 * is a full snapshot, so a client that missed one is right again with the next.
 *
 * @param estimatedTimeRemaining human-readable, e.g. {@code "~12 minutes"}; null when unknown
 */
public record StatusEvent(
        @NotBlank String runId,
        @NotNull RunStatus status,
        @NotNull @Valid BatchProgress batchProgress,
        String estimatedTimeRemaining,
        @NotNull Instant at) {
}
