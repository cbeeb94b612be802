package dev.batchwise.llm;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One logical submission: the provider batches it was split into, and the custom ids as the provider got
 * them mapped back to the caller's.
 *
 * @param id               {@code <provider>:<batch id>[,<batch id>...]}, enough to ask for the status later
 * @param providerToCaller provider custom id -> caller's custom id, for every request
 */
public record BatchSubmission(String id, Provider provider, List<String> providerBatchIds,
                              Map<String, String> providerToCaller, int requestCount, Instant submittedAt) {

    static String idOf(Provider provider, List<String> providerBatchIds) {
        return provider.wireName() + ":" + String.join(",", providerBatchIds);
    }
}
