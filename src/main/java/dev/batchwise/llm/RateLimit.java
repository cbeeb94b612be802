package dev.batchwise.llm;

import java.time.Instant;

/**
 * What a provider's rate-limit headers said about requests: the limit, what is left, and when the window is
 * full again. Null fields when a header was missing.
 */
public record RateLimit(Long limit, Long remaining, Instant resetAt) {

    public static final RateLimit UNKNOWN = new RateLimit(null, null, null);

    /** A header's whole number, or null when it is missing or not a number. */
    public static Long number(String header) {
        try {
            return header == null ? null : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
