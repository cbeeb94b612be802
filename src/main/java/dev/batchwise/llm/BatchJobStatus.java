package dev.batchwise.llm;

import java.time.Instant;

/** Where a provider batch (or a logical submission of several) is. */
public record BatchJobStatus(String providerBatchId, Provider provider, BatchStatus status, BatchTotals totals,
                             Instant submittedAt, Instant completedAt) {
}
