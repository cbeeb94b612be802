package dev.batchwise.llm;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** BatchLlmService through each provider's adapter against the built-in simulator (no key in tests). */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class BatchLlmServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    BatchLlmService service;

    private String savedSettings;

    @BeforeEach
    void fastBatches() {
        savedSettings = given().get("/sim/config").then().statusCode(200).extract().asString();
        configure(Map.of("batchFixedMs", 300, "batchPerItemMs", 0, "itemErrorRate", 0, "neverFinish", false));
    }

    @AfterEach
    void restore() {
        given().contentType(ContentType.JSON).body(savedSettings).put("/sim/config").then().statusCode(200);
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void submitPollAndStreamResults(Provider provider) {
        assertTrue(service.isAvailable(provider));
        List<LlmRequest> requests = requests(5, i -> "item-" + i);
        BatchSubmission submission = service.submitBatch(requests, BatchOptions.of(provider)).await().atMost(WAIT);
        assertEquals(1, submission.providerBatchIds().size());
        assertTrue(submission.id().startsWith(provider.wireName() + ":"));

        BatchJobStatus done = awaitFinal(submission);
        assertEquals(BatchStatus.COMPLETED, done.status());
        assertEquals(new BatchTotals(5, 5, 0, 0), done.totals());

        List<LlmResult> results = service.getBatchResults(submission).collect().asList().await().atMost(WAIT);
        assertEquals(ids(requests), results.stream().map(LlmResult::customId).collect(Collectors.toSet()));
        results.forEach(r -> {
            assertTrue(r.success(), r.toString());
            assertFalse(r.content().isEmpty());
            assertTrue(r.usage().inputTokens() > 0 && r.usage().outputTokens() > 0, r.usage().toString());
        });
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void partialFailureKeepsTheSuccesses(Provider provider) {
        configure(Map.of("itemErrorRate", 0.5));
        BatchSubmission submission = service.submitBatch(requests(30, i -> "mixed-" + i), BatchOptions.of(provider))
                .await().atMost(WAIT);
        awaitFinal(submission);
        List<LlmResult> results = service.getBatchResults(submission).collect().asList().await().atMost(WAIT);
        assertEquals(30, results.size());
        long failed = results.stream().filter(r -> !r.success()).count();
        assertTrue(failed > 0 && failed < 30, "failed=" + failed);
        results.stream().filter(r -> !r.success()).forEach(r -> assertTrue(r.error().type().retryable(), r.toString()));
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void cancel(Provider provider) {
        configure(Map.of("batchFixedMs", 600_000));
        BatchSubmission submission = service.submitBatch(requests(4, i -> "cancel-" + i), BatchOptions.of(provider))
                .await().atMost(WAIT);
        service.cancelBatch(submission).await().atMost(WAIT);
        assertEquals(BatchStatus.CANCELLED, awaitFinal(submission).status());
        service.getBatchResults(submission).collect().asList().await().atMost(WAIT)
                .forEach(r -> assertEquals(LlmErrorType.CANCELLED, r.error().type()));
    }

    @Test
    void aBatchThatNeverEndsTimesOutIsCancelledAndReturnsWhatFinished() {
        configure(Map.of("neverFinish", true, "batchFixedMs", 200));
        long cancels = stat("anthropic.cancels");
        List<LlmRequest> requests = requests(10, i -> "slow-" + i);
        List<LlmResult> results = service.submitAndWait(requests,
                new WaitOptions(Duration.ofMillis(100), Duration.ofMillis(1500))).await().atMost(WAIT);
        assertEquals(ids(requests), results.stream().map(LlmResult::customId).collect(Collectors.toSet()));
        assertEquals(5, results.stream().filter(LlmResult::success).count(), "the half done before the stall");
        results.stream().filter(r -> !r.success()).forEach(r -> assertEquals(LlmErrorType.CANCELLED, r.error().type()));
        assertEquals(cancels + 1, stat("anthropic.cancels"), "cancelled at the provider");
    }

    @Test
    void twelveThousandRequestsGoAsThreeProviderBatchesAndEveryResultIsMatched() {
        long created = stat("anthropic.batchesCreated");
        List<LlmRequest> requests = requests(12_000, i -> "req-" + i);
        BatchSubmission submission = service.submitBatch(requests, new BatchOptions(Provider.ANTHROPIC, 5000))
                .await().atMost(WAIT);
        assertEquals(3, submission.providerBatchIds().size());
        assertEquals(created + 3, stat("anthropic.batchesCreated"));
        BatchJobStatus done = awaitFinal(submission);
        assertEquals(new BatchTotals(12_000, 12_000, 0, 0), done.totals());
        Set<String> seen = service.getBatchResults(submission).map(LlmResult::customId).collect().asSet()
                .await().atMost(WAIT);
        assertEquals(ids(requests), seen);
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void customIdsTheProviderWouldRefuseComeBackAsTheCallersOwn(Provider provider) {
        List<String> odd = List.of("x".repeat(70), "has spaces in it", "atome-numéro-7", "ok_id-1");
        List<LlmRequest> requests = odd.stream().map(id -> LlmRequest.of(id, null, "prompt for " + id)).toList();
        BatchSubmission submission = service.submitBatch(requests, BatchOptions.of(provider)).await().atMost(WAIT);
        submission.providerToCaller().keySet()
                .forEach(safe -> assertTrue(CustomIds.PROVIDER_SAFE.matcher(safe).matches(), safe));
        awaitFinal(submission);
        Set<String> back = service.getBatchResults(submission).map(LlmResult::customId).collect().asSet()
                .await().atMost(WAIT);
        assertEquals(Set.copyOf(odd), back);
    }

    @Test
    void duplicateIdsAreRefusedByName() {
        List<LlmRequest> requests = List.of(LlmRequest.of("a", null, "1"), LlmRequest.of("b", null, "2"),
                LlmRequest.of("a", null, "3"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> service.submitBatch(requests, BatchOptions.DEFAULTS).await().atMost(WAIT));
        assertTrue(e.getMessage().contains("duplicate customId in one submission: a"), e.getMessage());
    }

    @Test
    void unknownBatchIsNotFound() {
        assertThrows(LlmException.NotFound.class,
                () -> service.getBatchStatus("anthropic:msgbatch_nosuchbatch").await().atMost(WAIT));
    }

    private BatchJobStatus awaitFinal(BatchSubmission submission) {
        return Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> service.getBatchStatus(submission).await().atMost(WAIT), s -> s.status().isFinal());
    }

    private static List<LlmRequest> requests(int n, Function<Integer, String> id) {
        return IntStream.range(0, n).mapToObj(i -> LlmRequest.of(id.apply(i), "You answer briefly.",
                "Question number " + i)).toList();
    }

    private static Set<String> ids(List<LlmRequest> requests) {
        return requests.stream().map(LlmRequest::customId).collect(Collectors.toSet());
    }

    private static void configure(Map<String, Object> settings) {
        given().contentType(ContentType.JSON).body(settings).put("/sim/config").then().statusCode(200);
    }

    private static long stat(String path) {
        return given().get("/sim/stats").then().statusCode(200).extract().jsonPath().getLong(path);
    }
}
