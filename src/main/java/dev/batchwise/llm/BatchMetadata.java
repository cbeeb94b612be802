package dev.batchwise.llm;

import java.util.Map;

/** The check of batch metadata against the limits in {@link ProviderAdapter#submit(java.util.List, Map)}. */
public final class BatchMetadata {

    private BatchMetadata() {
    }

    /** The metadata as an unmodifiable copy (empty for null); an {@link LlmException.InvalidRequest} if over the limits. */
    public static Map<String, String> checked(String provider, Map<String, String> metadata) {
        if (metadata == null || metadata.isEmpty()) {
            return Map.of();
        }
        if (metadata.size() > ProviderAdapter.MAX_METADATA_PAIRS) {
            throw new LlmException.InvalidRequest(0, provider + ": batch metadata takes at most "
                    + ProviderAdapter.MAX_METADATA_PAIRS + " pairs, not " + metadata.size());
        }
        metadata.forEach((key, value) -> {
            if (key == null || key.isEmpty() || key.length() > ProviderAdapter.MAX_METADATA_KEY_LENGTH) {
                throw new LlmException.InvalidRequest(0, provider + ": batch metadata keys have 1 to "
                        + ProviderAdapter.MAX_METADATA_KEY_LENGTH + " characters: '" + key + "'");
            }
            if (value == null || value.length() > ProviderAdapter.MAX_METADATA_VALUE_LENGTH) {
                throw new LlmException.InvalidRequest(0, provider + ": the batch metadata value of '" + key
                        + "' must be a string of at most " + ProviderAdapter.MAX_METADATA_VALUE_LENGTH + " characters");
            }
        });
        return Map.copyOf(metadata);
    }
}
