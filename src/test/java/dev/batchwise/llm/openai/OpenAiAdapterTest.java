package dev.batchwise.llm.openai;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.llm.BatchJobStatus;
import dev.batchwise.llm.BatchStatus;
import dev.batchwise.llm.BatchTotals;
import dev.batchwise.llm.LlmErrorType;
import dev.batchwise.llm.LlmException;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.llm.LlmUsage;
import dev.batchwise.llm.Provider;
import dev.batchwise.llm.ProviderBatch;
import dev.batchwise.llm.RateLimit;
import dev.batchwise.llm.RealtimeAnswer;
import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI adapter against the built-in simulator (no key is configured in tests, so {@code ProviderEndpoints}
 * points at {@code /sim/openai/v1}). Knobs are set through {@code PUT /sim/config} and restored after each test.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class OpenAiAdapterTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    OpenAiAdapter adapter;

    private String savedKnobs;

    @BeforeEach
    void saveKnobs() {
        savedKnobs = given().get("/sim/config").then().statusCode(200).extract().asString();
        // a well-behaved, fast provider, whatever the profile or an earlier test left behind
        knobs(Map.ofEntries(Map.entry("batchFixedMs", 300), Map.entry("batchPerItemMs", 0),
                Map.entry("itemErrorRate", 0), Map.entry("neverFinish", false), Map.entry("expireAfterMs", 86_400_000),
                Map.entry("failBatches", false), Map.entry("requestsPerSecond", 0), Map.entry("maxConcurrent", 0),
                Map.entry("overloadedRate", 0), Map.entry("latencyMs", 0), Map.entry("cacheMinTokens", 1024),
                Map.entry("openaiMaxFileBytes", 209_715_200)));
        knobsRaw("{\"apiKey\": null}");
    }

    @AfterEach
    void restoreKnobs() {
        knobsRaw(savedKnobs);
    }

    // ---- batches ----

    @Test
    void submitPollAndStreamEveryResult() throws IOException {
        List<LlmRequest> requests = requests("ok", 12);

        ProviderBatch batch = adapter.submit(requests).await().atMost(WAIT);
        assertEquals(Provider.OPENAI, batch.provider());
        assertTrue(batch.providerBatchId().startsWith("batch_"), batch.providerBatchId());
        assertEquals(12, batch.requestCount());
        assertNotNull(batch.submittedAt());
        assertEquals(List.of(), leftoverInputFiles(), "the temporary input file is deleted after the upload");

        BatchJobStatus status = awaitFinal(batch.providerBatchId());
        assertEquals(BatchStatus.COMPLETED, status.status());
        assertEquals(new BatchTotals(12, 12, 0, 0), status.totals());
        assertEquals(Provider.OPENAI, status.provider());
        assertNotNull(status.completedAt());

        Map<String, LlmResult> results = results(batch.providerBatchId());
        assertEquals(ids(requests), results.keySet());
        for (LlmResult result : results.values()) {
            assertTrue(result.success(), result.toString());
            assertFalse(result.content().isEmpty(), result.toString());
            assertTrue(result.usage().inputTokens() > 0, result.toString());
            assertTrue(result.usage().outputTokens() > 0, result.toString());
        }
    }

    @Test
    void aLargeResultFileIsStreamedAcrossManyChunks() {
        // ~3000 lines of ~700 bytes: a couple of MB, so lines are cut between chunks
        List<LlmRequest> requests = IntStream.range(0, 3000).mapToObj(i -> LlmRequest.of("big-" + i,
                "Be terse. " + "Context. ".repeat(20), "Say hello to item " + i + " (é, 漢字)")).toList();
        ProviderBatch batch = adapter.submit(requests).await().atMost(WAIT);
        assertEquals(BatchStatus.COMPLETED, awaitFinal(batch.providerBatchId()).status());

        Map<String, LlmResult> results = results(batch.providerBatchId());
        assertEquals(ids(requests), results.keySet());
        assertTrue(results.values().stream().allMatch(LlmResult::success));
    }

    @Test
    void aFileThatIsNotThereIsNotFoundOnTheStreamToo() {
        OpenAiApi api = io.quarkus.rest.client.reactive.QuarkusRestClientBuilder.newBuilder()
                .baseUri(java.net.URI.create(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port
                        + "/sim/openai/v1"))
                .build(OpenAiApi.class);
        assertThrows(LlmException.NotFound.class,
                () -> api.fileContent("Bearer sk-test", "file-does-not-exist").collect().asList().await().atMost(WAIT));
    }

    @Test
    void partialFailureSplitsIntoSucceededAndServerErrors() {
        knobs(Map.of("itemErrorRate", 0.5));
        List<LlmRequest> requests = requests("half", 20);

        ProviderBatch batch = adapter.submit(requests).await().atMost(WAIT);
        BatchJobStatus status = awaitFinal(batch.providerBatchId());
        assertEquals(BatchStatus.COMPLETED, status.status());

        Map<String, LlmResult> results = results(batch.providerBatchId());
        assertEquals(ids(requests), results.keySet());
        List<LlmResult> failed = results.values().stream().filter(r -> !r.success()).toList();
        List<LlmResult> succeeded = results.values().stream().filter(LlmResult::success).toList();
        assertFalse(failed.isEmpty(), "some requests fail at itemErrorRate 0.5");
        assertFalse(succeeded.isEmpty(), "some requests succeed at itemErrorRate 0.5");
        for (LlmResult result : failed) {
            assertEquals(LlmErrorType.SERVER_ERROR, result.error().type(), result.toString());
            assertTrue(result.error().message().contains("500"), result.error().message());
            assertNull(result.content());
        }
        assertEquals(new BatchTotals(20, succeeded.size(), failed.size(), 0), status.totals());
    }

    @Test
    void cancelEndsCancelledAndEveryRequestComesBackCancelled() {
        knobs(Map.of("batchFixedMs", 600_000));
        List<LlmRequest> requests = requests("cancel", 8);
        ProviderBatch batch = adapter.submit(requests).await().atMost(WAIT);

        BatchJobStatus cancelling = adapter.cancel(batch.providerBatchId()).await().atMost(WAIT);
        assertTrue(cancelling.status() == BatchStatus.CANCELLING || cancelling.status() == BatchStatus.CANCELLED,
                cancelling.toString());

        BatchJobStatus status = awaitFinal(batch.providerBatchId());
        assertEquals(BatchStatus.CANCELLED, status.status());
        assertNotNull(status.completedAt());

        Map<String, LlmResult> results = results(batch.providerBatchId());
        assertEquals(ids(requests), results.keySet());
        for (LlmResult result : results.values()) {
            assertFalse(result.success());
            assertEquals(LlmErrorType.CANCELLED, result.error().type(), result.toString());
            assertTrue(result.error().message().startsWith("batch_cancelled"), result.error().message());
        }
    }

    @Test
    void anExpiredBatchReturnsWhatWasDoneAndExpiresTheRest() {
        knobs(Map.of("neverFinish", true, "expireAfterMs", 1500));
        List<LlmRequest> requests = requests("expire", 10);
        ProviderBatch batch = adapter.submit(requests).await().atMost(WAIT);

        BatchJobStatus status = awaitFinal(batch.providerBatchId());
        assertEquals(BatchStatus.EXPIRED, status.status());
        assertEquals(new BatchTotals(10, 5, 5, 0), status.totals());

        Map<String, LlmResult> results = results(batch.providerBatchId());
        assertEquals(ids(requests), results.keySet());
        assertEquals(5, results.values().stream().filter(LlmResult::success).count());
        List<LlmResult> expired = results.values().stream().filter(r -> !r.success()).toList();
        assertEquals(5, expired.size());
        expired.forEach(r -> assertEquals(LlmErrorType.EXPIRED, r.error().type(), r.toString()));
    }

    @Test
    void aBatchThatFailsAsAWholeIsFailedAndItsResultsNameTheError() {
        knobs(Map.of("failBatches", true));
        ProviderBatch batch = adapter.submit(requests("fail", 3)).await().atMost(WAIT);

        BatchJobStatus status = awaitFinal(batch.providerBatchId());
        assertEquals(BatchStatus.FAILED, status.status());

        LlmException.InvalidRequest e = assertThrows(LlmException.InvalidRequest.class,
                () -> adapter.results(batch.providerBatchId()).collect().asList().await().atMost(WAIT));
        assertTrue(e.getMessage().contains(batch.providerBatchId()), e.getMessage());
        assertTrue(e.getMessage().contains("token_limit_exceeded"), e.getMessage());
    }

    @Test
    void resultsBeforeTheEndAreRefused() {
        knobs(Map.of("batchFixedMs", 600_000));
        ProviderBatch batch = adapter.submit(requests("early", 2)).await().atMost(WAIT);
        try {
            BatchJobStatus status = adapter.status(batch.providerBatchId()).await().atMost(WAIT);
            assertTrue(status.status() == BatchStatus.SUBMITTED || status.status() == BatchStatus.PROCESSING,
                    status.toString());
            assertNull(status.completedAt());
            LlmException.InvalidRequest e = assertThrows(LlmException.InvalidRequest.class,
                    () -> adapter.results(batch.providerBatchId()).collect().asList().await().atMost(WAIT));
            assertTrue(e.getMessage().contains("has not ended"), e.getMessage());
        } finally {
            adapter.cancel(batch.providerBatchId()).await().atMost(WAIT);
        }
    }

    @Test
    void moreRequestsThanOneBatchTakesAreRefusedBeforeAnyUpload() {
        List<LlmRequest> requests = IntStream.range(0, Provider.OPENAI.maxRequestsPerBatch() + 1)
                .mapToObj(i -> LlmRequest.of("many-" + i, null, "x")).toList();
        LlmException.RequestTooLarge e = assertThrows(LlmException.RequestTooLarge.class,
                () -> adapter.submit(requests).await().atMost(WAIT));
        assertTrue(e.getMessage().contains("50000"), e.getMessage());
        assertThrows(LlmException.InvalidRequest.class, () -> adapter.submit(List.of()).await().atMost(WAIT));
    }

    @Test
    void anUnknownBatchIsNotFound() {
        assertThrows(LlmException.NotFound.class,
                () -> adapter.status("batch_does_not_exist").await().atMost(WAIT));
        assertThrows(LlmException.NotFound.class,
                () -> adapter.cancel("batch_does_not_exist").await().atMost(WAIT));
        assertThrows(LlmException.NotFound.class,
                () -> adapter.results("batch_does_not_exist").collect().asList().await().atMost(WAIT));
    }

    @Test
    void aRejectedKeyIsAnAuthenticationErrorThatDoesNotShowTheKey() {
        knobs(Map.of("apiKey", "sk-only-this-one-works"));
        LlmException.Authentication e = assertThrows(LlmException.Authentication.class,
                () -> adapter.complete(LlmRequest.of("auth-1", null, "Hello")).await().atMost(WAIT));
        assertEquals(401, e.status());
        assertFalse(e.getMessage().contains("sim***"), e.getMessage());
        assertFalse(e.getMessage().contains("simulator-key"), e.getMessage());
        assertTrue(e.getMessage().contains("[redacted]"), e.getMessage());
    }

    // ---- real time ----

    @Test
    void completeAnswersWithUsageAndRateLimit() {
        knobs(Map.of("requestsPerSecond", 1000));
        RealtimeAnswer answer = adapter.complete(LlmRequest.of("rt-1", "Be terse.", "Say hello to rt-1"))
                .await().atMost(WAIT);
        LlmResult result = answer.result();
        assertEquals("rt-1", result.customId());
        assertTrue(result.success(), result.toString());
        assertFalse(result.content().isEmpty());
        assertTrue(result.usage().inputTokens() > 0, result.toString());
        assertTrue(result.usage().outputTokens() > 0, result.toString());
        assertEquals(0, result.usage().cacheReadTokens());
        assertEquals(0, result.usage().cacheCreationTokens());

        RateLimit limit = answer.rateLimit();
        assertEquals(1000L, limit.limit());
        assertNotNull(limit.remaining());
        assertTrue(limit.remaining() < 1000, limit.toString());
        assertNotNull(limit.resetAt());
        assertFalse(limit.resetAt().isBefore(Instant.now().minusSeconds(1)), limit.toString());
    }

    @Test
    void cachedTokensAreNotCountedAsInput() {
        String system = "Shared instructions " + UUID.randomUUID() + ". " + "Score the atom carefully. ".repeat(250);
        LlmRequest first = LlmRequest.of("cache-1", system, "First question");
        LlmRequest second = LlmRequest.of("cache-2", system, "First question");

        LlmUsage written = adapter.complete(first).await().atMost(WAIT).result().usage();
        LlmUsage read = adapter.complete(second).await().atMost(WAIT).result().usage();

        assertEquals(0, written.cacheReadTokens());
        assertTrue(read.cacheReadTokens() >= 1024, read.toString());
        // prompt_tokens is the same for both; ours excludes what was read from the cache
        assertEquals(written.inputTokens() - read.cacheReadTokens(), read.inputTokens(), read.toString());
        assertEquals(0, read.cacheCreationTokens());
    }

    @Test
    void aSecondQuickCallIsRateLimitedWithRetryAfter() {
        knobs(Map.of("requestsPerSecond", 1, "retryAfterMs", 700));
        LlmRequest request = LlmRequest.of("rl-1", null, "Hello");
        // the first call takes the bucket's one token (unless an earlier test emptied it); the second cannot
        adapter.complete(request).onFailure(LlmException.RateLimited.class).recoverWithNull().await().atMost(WAIT);

        LlmException.RateLimited e = assertThrows(LlmException.RateLimited.class,
                () -> adapter.complete(request).await().atMost(WAIT));
        assertEquals(429, e.status());
        assertEquals(LlmErrorType.RATE_LIMITED, e.type());
        assertTrue(e.retryable());
        assertEquals(Duration.ofMillis(700), e.retryAfter(), "retry-after-ms is preferred to retry-after");
        assertEquals(1L, e.rateLimit().limit());
        assertEquals(0L, e.rateLimit().remaining());
        assertNotNull(e.rateLimit().resetAt());
    }

    @Test
    void realTimeAndBatchGiveTheSameContentForTheSameRequest() {
        LlmRequest scored = LlmRequest.of("same-1", "You score atoms. Answer with JSON.",
                "Give a quality score for the atom 'water boils at 100 C'");
        LlmRequest plain = LlmRequest.of("same-2", null, "Name a colour");
        ProviderBatch batch = adapter.submit(List.of(scored, plain)).await().atMost(WAIT);
        assertEquals(BatchStatus.COMPLETED, awaitFinal(batch.providerBatchId()).status());
        Map<String, LlmResult> batchResults = results(batch.providerBatchId());

        for (LlmRequest request : List.of(scored, plain)) {
            LlmResult realtime = adapter.complete(request).await().atMost(WAIT).result();
            assertTrue(realtime.success(), realtime.toString());
            assertEquals(batchResults.get(request.customId()).content(), realtime.content());
        }
    }

    // ---- mapping, without the simulator ----

    @Test
    void everyBatchStatusMapsOntoOurs() {
        Map<String, BatchStatus> expected = Map.of("validating", BatchStatus.SUBMITTED,
                "in_progress", BatchStatus.PROCESSING, "finalizing", BatchStatus.PROCESSING,
                "completed", BatchStatus.COMPLETED, "failed", BatchStatus.FAILED, "expired", BatchStatus.EXPIRED,
                "cancelling", BatchStatus.CANCELLING, "cancelled", BatchStatus.CANCELLED);
        expected.forEach((wire, ours) -> assertEquals(ours, OpenAiAdapter.toStatus(batch(wire, null)).status(), wire));

        BatchJobStatus running = OpenAiAdapter.toStatus(batch("in_progress", new OpenAiWire.RequestCounts(10, 4, 1)));
        assertEquals(new BatchTotals(10, 4, 1, 5), running.totals());
        assertNull(running.completedAt());
        assertThrows(LlmException.InvalidRequest.class, () -> OpenAiAdapter.toStatus(batch("paused", null)));
    }

    @Test
    void requestsAFinalBatchNeverRanCountAsFailed() {
        // Corrections 1: expired and cancelled batches count only the requests that ran
        assertEquals(new BatchTotals(10, 1, 9, 0),
                OpenAiAdapter.toStatus(batch("expired", new OpenAiWire.RequestCounts(10, 1, 0))).totals());
        assertEquals(new BatchTotals(8, 4, 4, 0),
                OpenAiAdapter.toStatus(batch("cancelled", new OpenAiWire.RequestCounts(8, 4, 0))).totals());
        assertEquals(new BatchTotals(9, 0, 9, 0),
                OpenAiAdapter.toStatus(batch("completed", new OpenAiWire.RequestCounts(9, 0, 9))).totals());
        // still draining: what has not run may yet run
        assertEquals(new BatchTotals(8, 4, 0, 4),
                OpenAiAdapter.toStatus(batch("cancelling", new OpenAiWire.RequestCounts(8, 4, 0))).totals());
        // failed validation: 0/0/0
        assertEquals(new BatchTotals(0, 0, 0, 0),
                OpenAiAdapter.toStatus(batch("failed", new OpenAiWire.RequestCounts(0, 0, 0))).totals());
    }

    @Test
    void headersAndDurationsAreReadAsOpenAiSendsThem() {
        assertEquals(Duration.ofMillis(12), OpenAiErrors.duration("12ms"));
        assertEquals(Duration.ofSeconds(1), OpenAiErrors.duration("1s"));
        assertEquals(Duration.ofMinutes(6), OpenAiErrors.duration("6m0s"));
        assertEquals(Duration.ofMillis(1500), OpenAiErrors.duration("1.5s"));
        assertEquals(Duration.ofHours(1).plusMinutes(2).plusSeconds(3), OpenAiErrors.duration("1h2m3s"));
        assertEquals(Duration.ofSeconds(2), OpenAiErrors.duration("2"));
        assertNull(OpenAiErrors.duration("soon"));
        assertNull(OpenAiErrors.duration("5x"));
        assertNull(OpenAiErrors.duration(null));

        assertEquals(Duration.ofMillis(250), OpenAiErrors.retryAfter(headers(Map.of("retry-after-ms", "250",
                "retry-after", "1"))));
        assertEquals(Duration.ofSeconds(2), OpenAiErrors.retryAfter(headers(Map.of("retry-after", "2"))));
        assertEquals(Duration.ZERO, OpenAiErrors.retryAfter(headers(Map.of())));

        Instant before = Instant.now();
        RateLimit limit = OpenAiErrors.rateLimit(headers(Map.of("x-ratelimit-limit-requests", "60",
                "x-ratelimit-remaining-requests", "59", "x-ratelimit-reset-requests", "1s")));
        assertEquals(60L, limit.limit());
        assertEquals(59L, limit.remaining());
        assertFalse(limit.resetAt().isBefore(before.plusSeconds(1)), limit.toString());
        assertEquals(RateLimit.UNKNOWN, OpenAiErrors.rateLimit(headers(Map.of())));

        assertEquals(LlmErrorType.INVALID_REQUEST, OpenAiErrors.typeOfStatus(400));
        assertEquals(LlmErrorType.RATE_LIMITED, OpenAiErrors.typeOfStatus(429));
        assertEquals(LlmErrorType.SERVER_ERROR, OpenAiErrors.typeOfStatus(500));
        assertEquals(LlmErrorType.OVERLOADED, OpenAiErrors.typeOfStatus(503));
        assertEquals(LlmErrorType.EXPIRED, OpenAiErrors.typeOfLineError("batch_expired"));
        assertEquals(LlmErrorType.CANCELLED, OpenAiErrors.typeOfLineError("batch_cancelled"));
        assertEquals("Incorrect API key provided: [redacted]",
                OpenAiErrors.redact("Incorrect API key provided: sk-proj-****abcd."));
    }

    // ---- helpers ----

    private static OpenAiWire.Batch batch(String status, OpenAiWire.RequestCounts counts) {
        return new OpenAiWire.Batch("batch_x", status, null, "file-in", null, null, 1_700_000_000L,
                status.equals("completed") ? 1_700_000_100L : null, null, null, null, counts, null);
    }

    private static java.util.function.UnaryOperator<String> headers(Map<String, String> values) {
        return values::get;
    }

    private BatchJobStatus awaitFinal(String batchId) {
        BatchJobStatus[] last = new BatchJobStatus[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = adapter.status(batchId).await().atMost(WAIT);
            return last[0].status().isFinal();
        });
        return last[0];
    }

    private Map<String, LlmResult> results(String batchId) {
        List<LlmResult> results = adapter.results(batchId).collect().asList().await().atMost(WAIT);
        Map<String, LlmResult> byId = results.stream().collect(Collectors.toMap(LlmResult::customId,
                Function.identity()));
        assertEquals(results.size(), byId.size(), "one result per custom_id");
        return byId;
    }

    private static List<LlmRequest> requests(String prefix, int n) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        return IntStream.range(0, n).mapToObj(i -> LlmRequest.of(prefix + "-" + run + "-" + i, "Be terse.",
                "Say hello to item " + i + " of run " + run)).toList();
    }

    private static Set<String> ids(List<LlmRequest> requests) {
        return requests.stream().map(LlmRequest::customId).collect(Collectors.toCollection(HashSet::new));
    }

    private static List<Path> leftoverInputFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith(OpenAiAdapter.TEMP_PREFIX)).toList();
        }
    }

    private static void knobs(Map<String, ?> values) {
        given().contentType(ContentType.JSON).body(values).put("/sim/config").then().statusCode(200);
    }

    private static void knobsRaw(String json) {
        given().contentType(ContentType.JSON).body(json).put("/sim/config").then().statusCode(200);
    }
}
