package dev.batchwise.llm;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One provider's Batch and real-time APIs, in our terms. Requests reach an adapter with custom ids that the
 * provider accepts ({@link CustomIds}); failures are {@link LlmException}s: a provider that answered 5xx or 529
 * is {@link LlmException.Overloaded}, one that did not answer (or cut a stream) {@link LlmException.Unreachable},
 * both retryable.
 */
public interface ProviderAdapter {

    /** OpenAI's limits on batch metadata; Anthropic keeps none. */
    int MAX_METADATA_PAIRS = 16;
    int MAX_METADATA_KEY_LENGTH = 64;
    int MAX_METADATA_VALUE_LENGTH = 512;

    Provider provider();

    /** True when calls can be made: a key is configured, or the simulator serves this provider. */
    boolean isConfigured();

    /** Bytes a request adds to a batch body or input file, near enough to keep chunks under the limit. */
    long estimatedBytes(LlmRequest request);

    /** {@link #submit(List, Map)} without metadata. */
    default Uni<ProviderBatch> submit(List<LlmRequest> requests) {
        return submit(requests, Map.of());
    }

    /**
     * Creates one provider batch. {@code metadata} goes where the provider keeps it, so that
     * {@link #listSince} shows it again: OpenAI's batch {@code metadata} (at most {@value #MAX_METADATA_PAIRS}
     * pairs, keys of at most {@value #MAX_METADATA_KEY_LENGTH} characters, values of at most
     * {@value #MAX_METADATA_VALUE_LENGTH}). Anthropic has no batch metadata: it is dropped there, but checked
     * against the same limits, so that a caller works alike with both. Metadata over the limits is an
     * {@link LlmException.InvalidRequest} before anything is sent.
     * <p>
     * A failure that is not a 4xx (5xx, 529, no answer) leaves it unknown whether the provider created the
     * batch: look for it with {@link #listSince} before submitting again.
     */
    Uni<ProviderBatch> submit(List<LlmRequest> requests, Map<String, String> metadata);

    /**
     * The provider's batches created at or after {@code since}, newest first, read page by page from its list
     * endpoint and stopping at the first page that reaches older batches. {@code since} is compared at the
     * provider's precision (OpenAI: whole seconds, Anthropic: microseconds), so a batch created in the same
     * second (microsecond) counts; it is the provider's clock, so pass a margin for skew. A failed page ends the
     * stream with that page's {@link LlmException} after the batches already emitted.
     */
    Multi<ProviderBatchInfo> listSince(Instant since);

    Uni<BatchJobStatus> status(String providerBatchId);

    /**
     * The results as the provider streams them (JSONL, line by line), one per request, by custom id, in no
     * particular order. A line that cannot be read becomes a {@link LlmErrorType#MALFORMED_RESULT} failure under
     * the custom id it still shows; one without a readable custom id is skipped with a warning, so that request
     * is missing. A download cut before its end fails the stream with a retryable {@link LlmException} after the
     * complete lines read so far (never the cut one): read again from the start and match by custom id.
     */
    Multi<LlmResult> results(String providerBatchId);

    Uni<BatchJobStatus> cancel(String providerBatchId);

    /** One real-time call. */
    Uni<RealtimeAnswer> complete(LlmRequest request);
}
