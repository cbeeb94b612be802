package dev.batchwise.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prompt caching as the providers do it: the first request with a cacheable prefix writes it, a later one
 * within the TTL reads it (and refreshes the TTL). Keyed by model and prefix digest, never the text itself.
 */
final class PromptCache {

    /** Tokens written to and read from the cache by one request. */
    record Use(int creationTokens, int readTokens) {
        static final Use NONE = new Use(0, 0);
    }

    private final Map<String, Instant> entries = new ConcurrentHashMap<>();

    Use use(String model, long prefixHash, int prefixTokens, Duration ttl, int minTokens) {
        if (prefixTokens < minTokens) {
            return Use.NONE;
        }
        String key = model + ':' + prefixHash;
        Instant now = Instant.now();
        Instant previous = entries.put(key, now.plus(ttl));
        boolean hit = previous != null && previous.isAfter(now);
        return hit ? new Use(0, prefixTokens) : new Use(prefixTokens, 0);
    }
}
