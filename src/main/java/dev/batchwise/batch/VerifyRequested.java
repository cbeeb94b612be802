package dev.batchwise.batch;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.UUID;

/** The value on {@code verify.requested}: one prepared job to submit as a provider batch. Keyed by runId. */
public record VerifyRequested(@NotBlank String runId, @NotNull UUID jobId) {
}
