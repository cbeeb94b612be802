package dev.batchwise.llm;

import java.time.Instant;

/** A batch as a provider accepted it. */
public record ProviderBatch(Provider provider, String providerBatchId, int requestCount, Instant submittedAt) {
}
