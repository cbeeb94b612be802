package dev.batchwise.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The real Anthropic API, as the plan's integration tests ask: 5 items through the Batch API, then one real-time
 * call. Runs only when ANTHROPIC_API_KEY is set (it costs money and may take up to an hour); skipped otherwise.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
@TestProfile(LiveAnthropicTest.RealKey.class)
@EnabledIfEnvironmentVariable(named = "ANTHROPIC_API_KEY", matches = ".+")
class LiveAnthropicTest {

    public static class RealKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // the test profile points every provider at the simulator, so that other tests never reach a real one
            return Map.of("llm.anthropic.api-key", java.util.Objects.requireNonNullElse(System.getenv("ANTHROPIC_API_KEY"), ""),
                    "llm.anthropic.base-url", "https://api.anthropic.com");
        }
    }

    @Inject
    BatchLlmService batches;

    @Inject
    dev.batchwise.llm.realtime.RealtimeLlmService realtime;

    @Test
    void fiveItemsThroughTheBatchApi() {
        List<LlmRequest> requests = IntStream.range(0, 5).mapToObj(i -> new LlmRequest("live-" + i,
                "Answer with one word.", "Name a colour, number " + i + ".", null, 16, null, null)).toList();
        BatchSubmission submission = batches.submitBatch(requests, BatchOptions.of(Provider.ANTHROPIC))
                .await().atMost(Duration.ofMinutes(2));
        // real batches take minutes: poll every 30 s, as the service does, for up to an hour
        BatchJobStatus status = Awaitility.await().atMost(Duration.ofHours(1)).pollInterval(Duration.ofSeconds(30))
                .until(() -> batches.getBatchStatus(submission).await().atMost(Duration.ofMinutes(1)),
                        s -> s.status().isFinal());
        assertEquals(BatchStatus.COMPLETED, status.status());
        List<LlmResult> results = batches.getBatchResults(submission).collect().asList().await().atMost(Duration.ofMinutes(5));
        assertEquals(5, results.size());
        results.forEach(r -> assertTrue(r.success() && !r.content().isBlank(), r.toString()));
    }

    @Test
    void oneRealTimeCall() {
        LlmResult result = realtime.complete(new LlmRequest("live-rt", null, "Say hello.", null, 16, null, null))
                .await().atMost(Duration.ofMinutes(2));
        assertTrue(result.success(), result.toString());
    }
}
