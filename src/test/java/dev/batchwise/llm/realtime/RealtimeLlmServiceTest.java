package dev.batchwise.llm.realtime;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.LlmErrorType;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.llm.Provider;
import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real-time path against the provider simulator (no key is configured in tests, so the Anthropic adapter
 * calls this instance's {@code /sim/anthropic}). Calls are counted by the simulator, not by us.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
@TestProfile(RealtimeLlmServiceTest.ShortTimings.class)
class RealtimeLlmServiceTest {

    /** Back-offs and the breaker's delay shortened by config, so the tests wait milliseconds, not seconds. */
    public static class ShortTimings implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "llm.realtime.initial-backoff-ms", "20",
                    "llm.realtime.max-backoff-ms", "2000",
                    "llm.realtime.circuit-breaker.request-volume-threshold", "4",
                    "llm.realtime.circuit-breaker.failure-ratio", "0.5",
                    "llm.realtime.circuit-breaker.delay-ms", "500",
                    "llm.realtime.circuit-breaker.success-threshold", "1");
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Set<LlmErrorType> OVERLOAD = EnumSet.of(LlmErrorType.OVERLOADED, LlmErrorType.SERVER_ERROR);

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @Inject
    RealtimeLlmService service;

    @Inject
    LlmConfig config;

    @Inject
    CircuitBreakerMaintenance maintenance;

    private String savedSettings;

    @BeforeEach
    void setUp() {
        savedSettings = given().get("/sim/config").then().statusCode(200).extract().asString();
        configure(Map.of("requestsPerSecond", 0, "maxConcurrent", 0, "retryAfterMs", 1000, "overloadedRate", 0,
                "latencyMs", 0));
        given().delete("/sim/stats").then().statusCode(200);
        maintenance.reset(ProviderBreakers.name(Provider.ANTHROPIC));
    }

    @AfterEach
    void restore() {
        given().contentType(ContentType.JSON).body(savedSettings).put("/sim/config").then().statusCode(200);
        maintenance.reset(ProviderBreakers.name(Provider.ANTHROPIC));
    }

    @Test
    void pacedToTheProviderLimitWithinTheConcurrency() {
        configure(Map.of("requestsPerSecond", 20, "latencyMs", 100));
        List<LlmRequest> requests = requests("paced", 200);

        long start = System.nanoTime();
        List<LlmResult> results = service.completeAll(requests, 10).collect().asList().await().atMost(WAIT);
        double seconds = (System.nanoTime() - start) / 1e9;

        assertEquals(200, results.size());
        assertEquals(ids(requests), ids(results), "one result per request");
        List<LlmResult> failed = results.stream().filter(r -> !r.success()).toList();
        assertTrue(failed.isEmpty(), "all succeed: " + failed);
        Map<String, Object> stats = stats();
        assertTrue(number(stats, "maxInFlight") <= 10, "at most 10 calls in flight: " + stats);
        // close to the limit instead of bouncing off 429s: a full bucket of 20, then 20 per second
        assertTrue(number(stats, "rateLimited") <= 5, "few 429s, if any: " + stats);
        assertTrue(seconds >= (200 - 20) / 20.0 * 0.95, "never faster than the limit: " + seconds + " s");
        assertTrue(seconds <= (200 - 20) / 20.0 / 0.8, "close to the limit: " + seconds + " s; " + stats);
    }

    @Test
    void overloadsAreRetriedUpToMaxAttempts() {
        configure(Map.of("overloadedRate", 1));
        List<LlmRequest> requests = requests("overloaded", 2);
        double retries = retries();

        List<LlmResult> results = service.completeAll(requests, 2).collect().asList().await().atMost(WAIT);

        int attempts = config.realtime().maxAttempts();
        assertEquals(2, results.size());
        for (LlmResult result : results) {
            assertFalse(result.success());
            assertTrue(OVERLOAD.contains(result.error().type()), result.toString());
        }
        assertEquals(2L * attempts, number(stats(), "realtimeCalls"), "exactly max-attempts calls per request");
        assertEquals(2L * attempts, number(stats(), "overloaded"));
        assertEquals(2.0 * (attempts - 1), retries() - retries, "every repeated attempt counted as a retry");
    }

    /** batchwise_realtime_retries_total, summed over providers and reasons. */
    private double retries() {
        return registry.find("batchwise.realtime.retries").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    @Test
    void invalidRequestsAreNotRetried() {
        // the simulator, like the API, answers 400 invalid_request_error to an empty model and to max_tokens 0
        LlmRequest emptyModel = new LlmRequest("no-model", null, "Say hello", "", null, null, null);
        LlmRequest noTokens = new LlmRequest("no-tokens", null, "Say hello", null, 0, null, null);

        LlmResult first = service.complete(emptyModel).await().atMost(WAIT);
        LlmResult second = service.complete(noTokens).await().atMost(WAIT);

        for (LlmResult result : List.of(first, second)) {
            assertFalse(result.success());
            assertEquals(LlmErrorType.INVALID_REQUEST, result.error().type(), result.toString());
        }
        assertEquals("no-model", first.customId());
        assertEquals(2, number(stats(), "realtimeCalls"), "one call each");
    }

    @Test
    void aRateLimitedCallWaitsForRetryAfterThenSucceeds() {
        // one call at a time; the second of two concurrent calls gets a 429 with retry-after: 1 (whole seconds)
        configure(Map.of("maxConcurrent", 1, "latencyMs", 300, "retryAfterMs", 1000));
        List<LlmRequest> requests = requests("limited", 2);

        long start = System.nanoTime();
        List<LlmResult> results = service.completeAll(requests, 2).collect().asList().await().atMost(WAIT);
        double seconds = (System.nanoTime() - start) / 1e9;

        assertTrue(results.stream().allMatch(LlmResult::success), results.toString());
        Map<String, Object> stats = stats();
        assertEquals(1, number(stats, "rateLimited"), stats.toString());
        assertEquals(3, number(stats, "realtimeCalls"), "the 429 was retried once: " + stats);
        assertTrue(seconds >= 1.0, "waited as retry-after said: " + seconds + " s");
    }

    @Test
    void theBreakerOpensReportsDegradedAndClosesWhenTheProviderRecovers() {
        configure(Map.of("overloadedRate", 1));
        int attempts = config.realtime().maxAttempts();
        // one at a time: the breaker judges a window of 4 requests, each after all its attempts
        List<LlmResult> results = service.completeAll(requests("breaker", 8), 1).collect().asList()
                .await().atMost(WAIT);

        assertEquals(8, results.size());
        List<LlmResult> unsent = results.stream()
                .filter(r -> r.error().message().contains("circuit breaker open")).toList();
        assertEquals(4, unsent.size(), results.toString());
        unsent.forEach(r -> assertEquals(LlmErrorType.OVERLOADED, r.error().type()));
        assertEquals(4L * attempts, number(stats(), "realtimeCalls"), "no calls while open");

        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body(check() + ".status", equalTo("UP"))
                .body(check() + ".data.anthropic", equalTo("open"))
                .body(check() + ".data.degraded", equalTo(true));

        configure(Map.of("overloadedRate", 0));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> service.complete(LlmRequest.of("probe", null, "Say hello")).await().atMost(WAIT).success());
        given().get("/q/health/ready").then().statusCode(200)
                .body(check() + ".data.anthropic", equalTo("closed"))
                .body(check() + ".data.degraded", equalTo(false));
    }

    @Test
    void completeAllSettlesEveryRequestWhenSomeFail() {
        configure(Map.of("overloadedRate", 0.5));
        List<LlmRequest> valid = requests("mixed", 12);
        List<LlmRequest> invalid = IntStream.range(0, 4)
                .mapToObj(i -> new LlmRequest("invalid-" + i, null, "Say hello", "", null, null, null)).toList();
        List<LlmRequest> all = new java.util.ArrayList<>(valid);
        all.addAll(invalid);

        List<LlmResult> results = service.completeAll(all, 4).collect().asList().await().atMost(WAIT);

        assertEquals(16, results.size());
        assertEquals(ids(all), ids(results), "exactly one result per request");
        Map<String, LlmResult> byId = results.stream().collect(Collectors.toMap(LlmResult::customId, Function.identity()));
        for (LlmRequest request : invalid) {
            assertEquals(LlmErrorType.INVALID_REQUEST, byId.get(request.customId()).error().type());
        }
        for (LlmRequest request : valid) {
            LlmResult result = byId.get(request.customId());
            if (result.success()) {
                assertNull(result.error());
                assertFalse(result.content().isEmpty());
            } else {
                assertTrue(OVERLOAD.contains(result.error().type()), result.toString());
            }
        }
        assertTrue(results.stream().anyMatch(r -> !r.success()), "some failed");
        assertTrue(results.stream().anyMatch(LlmResult::success), "some succeeded");
    }

    private static String check() {
        return "checks.find { it.name == '" + RealtimeHealthCheck.NAME + "' }";
    }

    private static List<LlmRequest> requests(String prefix, int n) {
        return IntStream.range(0, n)
                .mapToObj(i -> LlmRequest.of(prefix + "-" + i, "You check facts.", "Explain item " + i + " briefly."))
                .toList();
    }

    private static Set<String> ids(List<?> items) {
        return items.stream()
                .map(item -> item instanceof LlmRequest r ? r.customId() : ((LlmResult) item).customId())
                .collect(Collectors.toSet());
    }

    private static void configure(Map<String, Object> settings) {
        given().contentType(ContentType.JSON).body(settings).put("/sim/config").then().statusCode(200);
    }

    private static Map<String, Object> stats() {
        return given().get("/sim/stats").then().statusCode(200).extract().path("anthropic");
    }

    private static long number(Map<String, Object> stats, String name) {
        return ((Number) stats.get(name)).longValue();
    }
}
