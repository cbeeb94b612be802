package dev.batchwise.batch;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The batch path with small chunks and short timeouts, so multi-chunk runs, timeouts and retries happen in a
 * test's seconds: 10 requests per provider batch, cancelled after 4 s, real-time retries quick to give up.
 */
public class SmallBatches implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "batch.max-requests-per-batch", "10",
                "batch.timeout-ms", "4000",
                "batch.submit-max-attempts", "10",
                "llm.realtime.initial-backoff-ms", "20",
                "llm.realtime.max-backoff-ms", "200",
                "llm.realtime.max-attempts", "2",
                "llm.realtime.circuit-breaker.delay-ms", "300");
    }
}
