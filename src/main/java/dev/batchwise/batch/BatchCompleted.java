package dev.batchwise.batch;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.math.BigDecimal;
import java.util.UUID;

/**
 * The value on {@code batch.completed}: a job is done, every item SUCCEEDED or FAILED. Keyed by runId.
 *
 * @param status          how the provider batch ended (COMPLETED, FAILED, EXPIRED, CANCELLED, TIMED_OUT)
 * @param providerBatchId null when no provider batch was ever accepted (the submit gave up)
 */
public record BatchCompleted(@NotBlank String runId, @NotNull UUID jobId, @NotBlank String provider,
                             String providerBatchId, @NotNull JobStatus status, @NotNull @Valid Counts counts,
                             @NotNull @Valid Usage usage, BigDecimal costUsd, BigDecimal realtimeCostUsd) {

    /** Items of the job: all of them, those that succeeded (in the batch or retried), those that failed. */
    public record Counts(int total, int succeeded, int failed) {
    }

    public record Usage(long inputTokens, long outputTokens, long cacheCreationTokens, long cacheReadTokens) {
    }
}
