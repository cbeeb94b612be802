package dev.batchwise.llm;

/**
 * How to submit a batch.
 *
 * @param provider            null for {@code llm.provider}
 * @param maxRequestsPerBatch null for the provider's own limit; never above it
 */
public record BatchOptions(Provider provider, Integer maxRequestsPerBatch) {

    public static final BatchOptions DEFAULTS = new BatchOptions(null, null);

    public static BatchOptions of(Provider provider) {
        return new BatchOptions(provider, null);
    }
}
