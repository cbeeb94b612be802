package dev.batchwise.llm;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * One provider's Batch and real-time APIs, in our terms. Requests reach an adapter with custom ids that the
 * provider accepts ({@link CustomIds}); failures are {@link LlmException}s.
 */
public interface ProviderAdapter {

    Provider provider();

    /** True when calls can be made: a key is configured, or the simulator serves this provider. */
    boolean isConfigured();

    /** Bytes a request adds to a batch body or input file, near enough to keep chunks under the limit. */
    long estimatedBytes(LlmRequest request);

    Uni<ProviderBatch> submit(List<LlmRequest> requests);

    Uni<BatchJobStatus> status(String providerBatchId);

    /** The results as the provider streams them (JSONL, line by line), one per request, by custom id. */
    Multi<LlmResult> results(String providerBatchId);

    Uni<BatchJobStatus> cancel(String providerBatchId);

    /** One real-time call. */
    Uni<RealtimeAnswer> complete(LlmRequest request);
}
