package dev.batchwise.simulator;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.ContentTooLargeException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.messages.batches.BatchCreateParams;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official Anthropic Java SDK (3.14.0), unchanged, against the simulator: it is the referee of the wire format. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class AnthropicSimulatorSdkTest {

    private static final String MODEL = "claude-haiku-5-5";

    @TestHTTPResource("/sim/anthropic")
    URL baseUrl;

    private String savedSettings;
    private AnthropicClient client;

    @BeforeEach
    void setUp() {
        savedSettings = given().get("/sim/config").then().statusCode(200).extract().asString();
        configure(Map.of("batchFixedMs", 300, "batchPerItemMs", 0, "itemErrorRate", 0, "neverFinish", false));
        client = client("sk-ant-test", 2);
    }

    @AfterEach
    void restore() {
        given().contentType(ContentType.JSON).body(savedSettings).put("/sim/config").then().statusCode(200);
        client.close();
    }

    @Test
    void fullBatchLifecycle() {
        long created = stat("batchesCreated");
        MessageBatch batch = client.messages().batches().create(batchOf(3, i -> "Explain item " + i));
        assertEquals(MessageBatch.ProcessingStatus.IN_PROGRESS, batch.processingStatus());
        assertEquals(3, batch.requestCounts().processing());
        assertTrue(batch.resultsUrl().isEmpty(), "no results_url before the end");

        MessageBatch ended = awaitEnded(batch.id());
        assertEquals(3, ended.requestCounts().succeeded());
        assertEquals(0, ended.requestCounts().processing());
        assertTrue(ended.resultsUrl().orElseThrow().startsWith(baseUrl.toString()), "results_url points at the simulator");

        Map<String, MessageBatchIndividualResponse> results = results(batch.id());
        assertEquals(List.of("item-0", "item-1", "item-2"), results.keySet().stream().sorted().toList());
        results.values().forEach(r -> assertTrue(r.result().isSucceeded()));
        String jsonl = given().header("x-api-key", "k").header("anthropic-version", "2023-06-01")
                .get("/sim/anthropic/v1/messages/batches/{id}/results", batch.id()).then().statusCode(200)
                .extract().asString();
        List<String> lines = jsonl.lines().toList();
        assertEquals(3, lines.size());
        lines.forEach(line -> assertTrue(line.startsWith("{\"custom_id\":"), "one JSON object per line: " + line));
        assertTrue(client.messages().batches().list().data().stream().anyMatch(b -> b.id().equals(batch.id())));
        assertEquals(created + 1, stat("batchesCreated"));

        client.messages().batches().delete(batch.id());
        assertThrows(NotFoundException.class, () -> client.messages().batches().retrieve(batch.id()));
    }

    @Test
    void cancelEndsTheBatchWithCanceledResults() {
        configure(Map.of("batchFixedMs", 600_000));
        long cancels = stat("cancels");
        MessageBatch batch = client.messages().batches().create(batchOf(4, i -> "Long job " + i));
        MessageBatch canceling = client.messages().batches().cancel(batch.id());
        assertEquals(MessageBatch.ProcessingStatus.CANCELING, canceling.processingStatus());
        assertTrue(canceling.cancelInitiatedAt().isPresent());

        MessageBatch ended = awaitEnded(batch.id());
        assertEquals(4, ended.requestCounts().canceled());
        results(batch.id()).values().forEach(r -> assertTrue(r.result().isCanceled()));
        assertEquals(cancels + 1, stat("cancels"));
    }

    @Test
    void aCancelThatDrainsPastTheLastRequestEndsWithZeroCanceled() {
        // the real API "may complete any in-progress, non-interruptible requests": all of them, here
        configure(Map.of("batchFixedMs", 3000, "cancelDrainMs", 600_000));
        MessageBatch batch = client.messages().batches().create(batchOf(4, i -> "Drained " + i));
        MessageBatch canceling = client.messages().batches().cancel(batch.id());
        assertEquals(MessageBatch.ProcessingStatus.CANCELING, canceling.processingStatus());
        assertEquals(4, canceling.requestCounts().processing(), "counts stay in processing while canceling");

        MessageBatch ended = awaitEnded(batch.id());
        assertTrue(ended.cancelInitiatedAt().isPresent(), "it was cancelled");
        assertEquals(0, ended.requestCounts().canceled());
        assertEquals(4, ended.requestCounts().succeeded());
        results(batch.id()).values().forEach(r -> assertTrue(r.result().isSucceeded()));
    }

    @Test
    void requestsDoneByTheEndOfTheDrainSucceedTheRestAreCanceled() {
        // a request every second; cancelled at once, the drain of 3.5 s lets the first three finish
        configure(Map.of("batchFixedMs", 10_000, "cancelDrainMs", 3500));
        MessageBatch batch = client.messages().batches().create(batchOf(10, i -> "Half drained " + i));
        client.messages().batches().cancel(batch.id());
        MessageBatch ended = awaitEnded(batch.id());
        long succeeded = ended.requestCounts().succeeded();
        long canceled = ended.requestCounts().canceled();
        assertTrue(succeeded >= 3 && canceled >= 1, "succeeded=" + succeeded + " canceled=" + canceled);
        assertEquals(10, succeeded + canceled);
        Map<String, MessageBatchIndividualResponse> results = results(batch.id());
        assertEquals(succeeded, results.values().stream().filter(r -> r.result().isSucceeded()).count());
        assertEquals(canceled, results.values().stream().filter(r -> r.result().isCanceled()).count());
        // in submission order: the ones that finished are the first ones
        IntStream.range(0, (int) succeeded).forEach(i -> assertTrue(results.get("item-" + i).result().isSucceeded()));
    }

    @Test
    void partialFailureErrorsSomeItemsAndSucceedsTheRest() {
        configure(Map.of("itemErrorRate", 0.5));
        MessageBatch batch = client.messages().batches().create(batchOf(40, i -> "Mixed job " + i));
        MessageBatch ended = awaitEnded(batch.id());
        long errored = ended.requestCounts().errored();
        long succeeded = ended.requestCounts().succeeded();
        assertTrue(errored > 0 && succeeded > 0, "errored=" + errored + " succeeded=" + succeeded);
        assertEquals(40, errored + succeeded);
        Map<String, MessageBatchIndividualResponse> results = results(batch.id());
        assertEquals(40, results.size());
        results.values().stream().filter(r -> r.result().isErrored()).forEach(r -> {
            var error = r.result().errored().orElseThrow().error().error();
            assertTrue(error.isApiError() || error.isOverloadedError());
        });
    }

    @Test
    void aBatchThatNeverFinishesExpiresWithWhatWasDone() {
        configure(Map.of("neverFinish", true, "expireAfterMs", 800, "batchFixedMs", 400));
        MessageBatch ended = awaitEnded(client.messages().batches().create(batchOf(10, i -> "Stalled " + i)).id());
        assertEquals(5, ended.requestCounts().succeeded(), "half done before the stall");
        assertEquals(5, ended.requestCounts().expired());
    }

    @Test
    void envelopeErrorsAreBadRequests() {
        BatchCreateParams badId = BatchCreateParams.builder().addRequest(request("has space", "x")).build();
        BadRequestException e = assertThrows(BadRequestException.class, () -> client.messages().batches().create(badId));
        assertTrue(e.getMessage().contains("custom_id"), e.getMessage());

        BatchCreateParams duplicate = BatchCreateParams.builder()
                .addRequest(request("same", "a")).addRequest(request("same", "b")).build();
        e = assertThrows(BadRequestException.class, () -> client.messages().batches().create(duplicate));
        assertTrue(e.getMessage().contains("duplicate custom_id 'same'"), e.getMessage());

        assertThrows(NotFoundException.class, () -> client.messages().batches().retrieve("msgbatch_doesnotexist"));
    }

    @Test
    void aBodyOverTheSizeLimitIs413() {
        configure(Map.of("anthropicMaxBatchBytes", 4_000));
        ContentTooLargeException e = assertThrows(ContentTooLargeException.class,
                () -> client.messages().batches().create(batchOf(30, i -> "A longer prompt to pass the limit " + i)));
        assertEquals(413, e.statusCode());
    }

    @Test
    void keysAreRequired() {
        configure(Map.of("apiKey", "sk-ant-the-right-one"));
        AnthropicClient wrong = client("sk-ant-wrong", 0);
        try {
            assertThrows(UnauthorizedException.class, () -> wrong.messages().create(message("hello")));
        } finally {
            wrong.close();
        }
        given().contentType(ContentType.JSON).header("anthropic-version", "2023-06-01")
                .body("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/sim/anthropic/v1/messages")
                .then().statusCode(401).body("type", equalTo("error"))
                .body("error.type", equalTo("authentication_error"));
    }

    @Test
    void version20261021RejectsTemperatureAnd20230601AcceptsIt() {
        String body = "{\"model\":\"m\",\"max_tokens\":5,\"temperature\":0.2,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        given().contentType(ContentType.JSON).header("x-api-key", "k").header("anthropic-version", "2026-10-21")
                .body(body).post("/sim/anthropic/v1/messages")
                .then().statusCode(400).body("error.type", equalTo("invalid_request_error"));
        given().contentType(ContentType.JSON).header("x-api-key", "k").header("anthropic-version", "2023-06-01")
                .body(body).post("/sim/anthropic/v1/messages")
                .then().statusCode(200).body("type", equalTo("message"));
    }

    @Test
    void rateLimitedCallsAreRetriedAsRetryAfterSays() {
        configure(Map.of("requestsPerSecond", 1, "retryAfterMs", 1000));
        long limited = stat("rateLimited");
        AnthropicClient patient = client("sk-ant-test", 4);
        try {
            for (int i = 0; i < 3; i++) {
                Message answer = patient.messages().create(message("rate " + i));
                assertFalse(answer.content().isEmpty());
            }
        } finally {
            patient.close();
        }
        assertTrue(stat("rateLimited") > limited, "the SDK met at least one 429 and got through after waiting");
    }

    @Test
    void overloadedAnswersAre529Or500() {
        configure(Map.of("overloadedRate", 1));
        boolean saw529 = false;
        AnthropicClient once = client("sk-ant-test", 0);
        try {
            for (int i = 0; i < 20 && !saw529; i++) {
                AnthropicServiceException e = assertThrows(AnthropicServiceException.class,
                        () -> once.messages().create(message("busy")));
                assertTrue(e instanceof OverloadedException || e instanceof InternalServerException, e.toString());
                saw529 |= e instanceof OverloadedException;
            }
        } finally {
            once.close();
        }
        assertTrue(saw529, "a share of the injected errors is 529 overloaded_error");
    }

    @Test
    void sameRequestSameContentInBatchAndInRealTime() {
        String prompt = "Give the quality score of this atom: a user can reset a password by email.";
        MessageBatch batch = client.messages().batches().create(BatchCreateParams.builder()
                .addRequest(request("same-1", prompt)).build());
        awaitEnded(batch.id());
        String fromBatch = results(batch.id()).get("same-1").result().succeeded().orElseThrow()
                .message().content().get(0).text().orElseThrow().text();
        String realtime = client.messages().create(message(prompt)).content().get(0).text().orElseThrow().text();
        assertEquals(fromBatch, realtime);
        assertTrue(realtime.contains("score"), realtime);
    }

    @Test
    void aCachedSystemPrefixIsWrittenOnceThenRead() {
        configure(Map.of("cacheMinTokens", 50));
        String instructions = "You grade atoms. ".repeat(40) + System.nanoTime();
        MessageCreateParams params = MessageCreateParams.builder().model(MODEL).maxTokens(50)
                .systemOfTextBlockParams(List.of(TextBlockParam.builder().text(instructions)
                        .cacheControl(CacheControlEphemeral.builder().ttl(CacheControlEphemeral.Ttl.TTL_1H).build())
                        .build()))
                .addUserMessage("atom one").build();
        Message first = client.messages().create(params);
        Message second = client.messages().create(params);
        long prefix = first.usage().cacheCreationInputTokens().orElse(0L);
        assertTrue(prefix >= 50, "first call writes the prefix: " + first.usage());
        assertEquals(0L, first.usage().cacheReadInputTokens().orElse(0L));
        assertEquals(prefix, second.usage().cacheReadInputTokens().orElse(0L));
        assertEquals(0L, second.usage().cacheCreationInputTokens().orElse(0L));
        assertTrue(second.usage().inputTokens() < prefix, "input_tokens excludes the cached prefix");
    }

    private AnthropicClient client(String key, int maxRetries) {
        return AnthropicOkHttpClient.builder().apiKey(key).baseUrl(baseUrl.toString()).maxRetries(maxRetries).build();
    }

    private static MessageCreateParams message(String prompt) {
        return MessageCreateParams.builder().model(MODEL).maxTokens(200).addUserMessage(prompt).build();
    }

    private static BatchCreateParams.Request request(String customId, String prompt) {
        return BatchCreateParams.Request.builder().customId(customId)
                .params(BatchCreateParams.Request.Params.builder().model(MODEL).maxTokens(200L)
                        .addUserMessage(prompt).build())
                .build();
    }

    private static BatchCreateParams batchOf(int n, Function<Integer, String> prompt) {
        BatchCreateParams.Builder builder = BatchCreateParams.builder();
        IntStream.range(0, n).forEach(i -> builder.addRequest(request("item-" + i, prompt.apply(i))));
        return builder.build();
    }

    private MessageBatch awaitEnded(String id) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.messages().batches().retrieve(id),
                        b -> b.processingStatus().equals(MessageBatch.ProcessingStatus.ENDED));
    }

    private Map<String, MessageBatchIndividualResponse> results(String id) {
        try (StreamResponse<MessageBatchIndividualResponse> stream = client.messages().batches().resultsStreaming(id)) {
            return stream.stream().collect(Collectors.toMap(MessageBatchIndividualResponse::customId, r -> r));
        }
    }

    private static void configure(Map<String, Object> settings) {
        given().contentType(ContentType.JSON).body(settings).put("/sim/config").then().statusCode(200);
    }

    private static long stat(String name) {
        return given().get("/sim/stats").then().statusCode(200).extract().jsonPath().getLong("anthropic." + name);
    }
}
