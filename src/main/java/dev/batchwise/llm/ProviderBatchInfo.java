package dev.batchwise.llm;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A batch as a provider lists it: what a caller needs to recognise its own batch after a crash (the metadata it
 * sent, when the provider keeps any: OpenAI does, Anthropic does not, so there it is empty) and where it is.
 */
public record ProviderBatchInfo(String providerBatchId, BatchJobStatus status, Map<String, String> metadata,
                                Instant createdAt) {

    public ProviderBatchInfo {
        // providers may send null values; an unmodifiable copy without them
        Map<String, String> copy = new LinkedHashMap<>();
        if (metadata != null) {
            metadata.forEach((k, v) -> {
                if (k != null && v != null) {
                    copy.put(k, v);
                }
            });
        }
        metadata = Collections.unmodifiableMap(copy);
    }
}
