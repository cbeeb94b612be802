package dev.batchwise.llm.realtime;

import dev.batchwise.llm.LlmException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * Which failed real-time calls are tried again, and after how long. Only what can succeed on another try is
 * retried ({@link LlmException#retryable()}: 429, 5xx, 529, timeouts), never 400/401/404/413 or a failure
 * that is not a provider's answer. A 429 waits what its retry-after says; everything else backs off
 * exponentially from {@code initialBackoff} with full jitter (a uniform wait between 0 and the doubled
 * ceiling, so that many callers that failed together do not come back together); both capped by
 * {@code maxBackoff}.
 */
final class RetryPolicy {

    private final int maxAttempts;
    private final long initialBackoffMs;
    private final long maxBackoffMs;
    private final DoubleSupplier random;

    /** @param random uniform in [0, 1) */
    RetryPolicy(int maxAttempts, long initialBackoffMs, long maxBackoffMs, DoubleSupplier random) {
        this.maxAttempts = maxAttempts;
        this.initialBackoffMs = initialBackoffMs;
        this.maxBackoffMs = maxBackoffMs;
        this.random = random;
    }

    int maxAttempts() {
        return maxAttempts;
    }

    /**
     * The wait before attempt {@code next} (2 for the first retry) after {@code failure}, or empty when the
     * call must not be tried again.
     */
    Optional<Duration> delayBefore(int next, Throwable failure) {
        if (next > maxAttempts || !(failure instanceof LlmException e) || !e.retryable()) {
            return Optional.empty();
        }
        if (e instanceof LlmException.RateLimited limited && limited.retryAfter() != null
                && limited.retryAfter().toMillis() > 0) {
            return Optional.of(Duration.ofMillis(Math.min(limited.retryAfter().toMillis(), maxBackoffMs)));
        }
        return Optional.of(Duration.ofMillis((long) (random.getAsDouble() * ceilingMs(next))));
    }

    /** The back-off ceiling before attempt {@code next}: initial, doubled per retry, at most the maximum. */
    long ceilingMs(int next) {
        int doublings = Math.min(Math.max(0, next - 2), 40);
        double ceiling = initialBackoffMs * Math.pow(2, doublings);
        return (long) Math.min(ceiling, maxBackoffMs);
    }
}
