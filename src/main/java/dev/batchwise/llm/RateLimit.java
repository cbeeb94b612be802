package dev.batchwise.llm;

import java.time.Instant;

/**
 * What a provider's rate-limit headers said about requests: the limit, what is left, and when the window is
 * full again. Null fields when a header was missing.
 */
public record RateLimit(Long limit, Long remaining, Instant resetAt) {

    public static final RateLimit UNKNOWN = new RateLimit(null, null, null);
}
