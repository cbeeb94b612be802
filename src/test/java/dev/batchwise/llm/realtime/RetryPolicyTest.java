package dev.batchwise.llm.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.llm.LlmException;
import dev.batchwise.llm.RateLimit;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which failures are retried and after how long; plain logic, so not a @QuarkusTest. */
class RetryPolicyTest {

    private static final LlmException OVERLOADED = new LlmException.Overloaded(529, "overloaded");

    @Test
    void retriesOnlyWhatCanSucceedOnAnotherTry() {
        RetryPolicy policy = new RetryPolicy(4, 100, 1000, () -> 0.5);
        assertTrue(policy.delayBefore(2, OVERLOADED).isPresent());
        assertTrue(policy.delayBefore(2, new LlmException.Overloaded(500, "api_error")).isPresent());
        assertTrue(policy.delayBefore(2, new LlmException.Timeout("slow")).isPresent());
        assertTrue(policy.delayBefore(2, rateLimited(Duration.ZERO)).isPresent());
        assertEquals(Optional.empty(), policy.delayBefore(2, new LlmException.InvalidRequest(400, "bad")));
        assertEquals(Optional.empty(), policy.delayBefore(2, new LlmException.Authentication(401, "key")));
        assertEquals(Optional.empty(), policy.delayBefore(2, new LlmException.NotFound("gone")));
        assertEquals(Optional.empty(), policy.delayBefore(2, new LlmException.RequestTooLarge(413, "big")));
        assertEquals(Optional.empty(), policy.delayBefore(2, new IllegalStateException("not a provider answer")));
    }

    @Test
    void maxAttemptsCountsTheFirst() {
        RetryPolicy policy = new RetryPolicy(4, 100, 1000, () -> 0.5);
        assertTrue(policy.delayBefore(4, OVERLOADED).isPresent());
        assertEquals(Optional.empty(), policy.delayBefore(5, OVERLOADED));
    }

    @Test
    void exponentialBackOffWithFullJitterUpToTheMaximum() {
        assertEquals(100, new RetryPolicy(10, 100, 1000, () -> 0).ceilingMs(2));
        assertEquals(200, new RetryPolicy(10, 100, 1000, () -> 0).ceilingMs(3));
        assertEquals(400, new RetryPolicy(10, 100, 1000, () -> 0).ceilingMs(4));
        assertEquals(1000, new RetryPolicy(10, 100, 1000, () -> 0).ceilingMs(9));
        assertEquals(Duration.ZERO, new RetryPolicy(10, 100, 1000, () -> 0).delayBefore(3, OVERLOADED).orElseThrow());
        assertEquals(Duration.ofMillis(199), new RetryPolicy(10, 100, 1000, () -> 0.999).delayBefore(3, OVERLOADED)
                .orElseThrow());
    }

    @Test
    void aRetryAfterIsHonouredUpToTheMaximum() {
        RetryPolicy policy = new RetryPolicy(4, 100, 5000, () -> 0);
        assertEquals(Duration.ofSeconds(2), policy.delayBefore(2, rateLimited(Duration.ofSeconds(2))).orElseThrow());
        assertEquals(Duration.ofSeconds(5), policy.delayBefore(2, rateLimited(Duration.ofSeconds(60))).orElseThrow());
    }

    private static LlmException rateLimited(Duration retryAfter) {
        return new LlmException.RateLimited("429", retryAfter, RateLimit.UNKNOWN);
    }
}
