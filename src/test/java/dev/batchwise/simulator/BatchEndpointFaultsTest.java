package dev.batchwise.simulator;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.batches.BatchCreateParams;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponse;
import com.openai.errors.InternalServerException;
import com.openai.models.batches.Batch;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FilePurpose;
import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transient 5xx on the batch endpoints ({@code batchEndpointErrorRate}, provider-apis.md Corrections 3): their
 * shape, raw; and that the official SDKs get through them by retrying without anything being created twice.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class BatchEndpointFaultsTest {

    private static final String KEY = "sk-faults-test";
    private static final String ANTHROPIC_BODY = "{\"requests\":[{\"custom_id\":\"a\",\"params\":{\"model\":"
            + "\"claude-haiku-5-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}]}";

    @TestHTTPResource("/")
    URL root;

    private String savedKnobs;

    @BeforeEach
    void fastWellBehavedProvider() {
        savedKnobs = given().get("/sim/config").then().statusCode(200).extract().asString();
        knobs(Map.of("batchFixedMs", 300, "batchPerItemMs", 0, "itemErrorRate", 0, "neverFinish", false,
                "failBatches", false, "batchEndpointErrorRate", 0, "resultsCutAfterLines", 0, "malformedLineRate", 0,
                "apiKey", KEY));
    }

    @AfterEach
    void restore() {
        given().contentType(ContentType.JSON).body(savedKnobs).put("/sim/config").then().statusCode(200);
    }

    @Test
    void anthropicBatchEndpointsAnswer500Or529WithXShouldRetryAndNoRetryAfter() {
        String id = given().spec(anthropic()).contentType(ContentType.JSON).body(ANTHROPIC_BODY)
                .post("/sim/anthropic/v1/messages/batches").then().statusCode(200).extract().path("id");
        knobs(Map.of("batchEndpointErrorRate", 1.0));
        long created = stat("anthropic", "batchesCreated");
        long errors = stat("anthropic", "batchEndpointErrors");

        Set<Integer> statuses = new HashSet<>();
        boolean sawNullRequestId = false;
        int calls = 0;
        for (; calls < 40 && (statuses.size() < 2 || !sawNullRequestId); calls++) {
            ExtractableResponse<Response> failed = given().spec(anthropic()).contentType(ContentType.JSON)
                    .body(ANTHROPIC_BODY).post("/sim/anthropic/v1/messages/batches").then().extract();
            statuses.add(failed.statusCode());
            assertEquals("true", failed.header("x-should-retry"));
            assertNull(failed.header("retry-after"), "no retry-after on a transient 5xx");
            assertEquals("error", failed.path("type"));
            assertEquals(failed.statusCode() == 529 ? "overloaded_error" : "api_error", failed.path("error.type"));
            assertTrue(failed.jsonPath().getMap("$").containsKey("request_id"));
            sawNullRequestId |= failed.path("request_id") == null;
        }
        assertEquals(Set.of(500, 529), statuses);
        assertTrue(sawNullRequestId, "request_id is sometimes null, as seen from the real API");
        assertEquals(created, stat("anthropic", "batchesCreated"), "a failed create creates no batch");

        for (Function<RequestSpecification, Response> call : List.<Function<RequestSpecification, Response>>of(
                s -> s.get("/sim/anthropic/v1/messages/batches/" + id),
                s -> s.get("/sim/anthropic/v1/messages/batches"),
                s -> s.get("/sim/anthropic/v1/messages/batches/" + id + "/results"),
                s -> s.post("/sim/anthropic/v1/messages/batches/" + id + "/cancel"))) {
            int status = call.apply(given().spec(anthropic())).statusCode();
            assertTrue(status == 500 || status == 529, "status " + status);
        }
        assertTrue(stat("anthropic", "batchEndpointErrors") - errors >= calls + 4, "every injected error is counted");
    }

    @Test
    void theAnthropicSdkRetriesThroughTransientErrorsAndCreatesEachBatchOnce() {
        knobs(Map.of("batchEndpointErrorRate", 0.25));
        long created = stat("anthropic", "batchesCreated");
        long errors = stat("anthropic", "batchEndpointErrors");
        AnthropicClient client = AnthropicOkHttpClient.builder().apiKey(KEY).baseUrl(base() + "sim/anthropic")
                .maxRetries(10).build();
        try {
            for (int b = 0; b < 4; b++) {
                BatchCreateParams.Builder params = BatchCreateParams.builder();
                IntStream.range(0, 3).forEach(i -> params.addRequest(BatchCreateParams.Request.builder()
                        .customId("item-" + i).params(BatchCreateParams.Request.Params.builder()
                                .model("claude-haiku-5-5").maxTokens(50L).addUserMessage("Retry " + i).build())
                        .build()));
                String id = client.messages().batches().create(params.build()).id();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> client.messages().batches().retrieve(id).processingStatus(),
                                MessageBatch.ProcessingStatus.ENDED::equals);
                try (StreamResponse<MessageBatchIndividualResponse> results = client.messages().batches()
                        .resultsStreaming(id)) {
                    assertEquals(3, results.stream().count());
                }
                assertTrue(client.messages().batches().list().data().stream().anyMatch(x -> x.id().equals(id)));
            }
        } finally {
            client.close();
        }
        assertEquals(4, stat("anthropic", "batchesCreated") - created, "each batch was created exactly once");
        assertTrue(stat("anthropic", "batchEndpointErrors") > errors, "some calls failed and were retried");
    }

    @Test
    void openAiBatchAndFileEndpointsAnswer500Or503() {
        knobs(Map.of("batchEndpointErrorRate", 1.0));
        long errors = stat("openai", "batchEndpointErrors");
        Set<Integer> statuses = new HashSet<>();
        for (int i = 0; i < 40 && statuses.size() < 2; i++) {
            ExtractableResponse<Response> failed = given().spec(openAi()).get("/sim/openai/v1/batches").then().extract();
            statuses.add(failed.statusCode());
            Map<String, Object> error = failed.jsonPath().getMap("error");
            assertTrue(error.keySet().containsAll(List.of("message", "type", "param", "code")), error.toString());
            assertEquals(failed.statusCode() == 503 ? "service_unavailable_error" : "server_error", error.get("type"));
        }
        assertEquals(Set.of(500, 503), statuses);
        for (Function<RequestSpecification, Response> call : List.<Function<RequestSpecification, Response>>of(
                s -> s.multiPart("file", "in.jsonl", "{}\n".getBytes()).multiPart("purpose", "batch")
                        .post("/sim/openai/v1/files"),
                s -> s.contentType(ContentType.JSON).body("{\"input_file_id\":\"file-x\",\"endpoint\":"
                        + "\"/v1/chat/completions\",\"completion_window\":\"24h\"}").post("/sim/openai/v1/batches"),
                s -> s.get("/sim/openai/v1/batches/batch_x"),
                s -> s.post("/sim/openai/v1/batches/batch_x/cancel"),
                s -> s.get("/sim/openai/v1/files/file-x/content"))) {
            int status = call.apply(given().spec(openAi())).statusCode();
            assertTrue(status == 500 || status == 503, "status " + status);
        }
        assertTrue(stat("openai", "batchEndpointErrors") - errors >= 7);
    }

    @Test
    void theOpenAiSdkRetriesThroughTransientErrorsAndCreatesEachBatchOnce() throws IOException {
        knobs(Map.of("batchEndpointErrorRate", 0.25));
        long created = stat("openai", "batchesCreated");
        long errors = stat("openai", "batchEndpointErrors");
        Path input = Files.createTempFile("endpoint-faults-", ".jsonl");
        OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(KEY).baseUrl(base() + "sim/openai/v1")
                .maxRetries(10).build();
        try {
            Files.write(input, IntStream.range(0, 3).mapToObj(i -> "{\"custom_id\":\"r" + i + "\",\"method\":\"POST\","
                    + "\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"Retry " + i + "\"}]}}").toList());
            for (int b = 0; b < 4; b++) {
                String fileId = uploadRetrying(client, input);
                String id = client.batches().create(com.openai.models.batches.BatchCreateParams.builder()
                        .inputFileId(fileId)
                        .endpoint(com.openai.models.batches.BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                        .completionWindow(com.openai.models.batches.BatchCreateParams.CompletionWindow._24H)
                        .build()).id();
                Batch done = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> client.batches().retrieve(id), x -> x.status().equals(Batch.Status.COMPLETED));
                try (HttpResponse content = client.files().content(done.outputFileId().orElseThrow());
                     InputStream body = content.body()) {
                    assertEquals(3, new String(body.readAllBytes()).lines().count());
                }
                assertTrue(client.batches().list().data().stream().anyMatch(x -> x.id().equals(id)));
            }
        } finally {
            client.close();
            Files.deleteIfExists(input);
        }
        assertEquals(4, stat("openai", "batchesCreated") - created, "each batch was created exactly once");
        assertTrue(stat("openai", "batchEndpointErrors") > errors, "some calls failed and were retried");
    }

    /**
     * openai-java does not retry an upload whose file part is a stream (a Path is read as one): the body is
     * not repeatable. So a transient 5xx on upload reaches the caller, who must retry; here, as a client would.
     */
    private static String uploadRetrying(OpenAIClient client, Path input) {
        for (int attempt = 1; ; attempt++) {
            try {
                return client.files().create(FileCreateParams.builder().purpose(FilePurpose.BATCH).file(input)
                        .build()).id();
            } catch (InternalServerException e) {
                if (attempt == 20) {
                    throw e;
                }
            }
        }
    }

    private RequestSpecification anthropic() {
        return given().baseUri(base()).header("x-api-key", KEY).header("anthropic-version", "2023-06-01");
    }

    private RequestSpecification openAi() {
        return given().baseUri(base()).header("Authorization", "Bearer " + KEY);
    }

    /** The app's root URL, with one trailing slash. */
    private String base() {
        return root.toString().replaceAll("/+$", "") + "/";
    }

    private static void knobs(Map<String, ?> settings) {
        given().contentType(ContentType.JSON).body(settings).put("/sim/config").then().statusCode(200);
    }

    private static long stat(String provider, String name) {
        return given().get("/sim/stats").then().statusCode(200).extract().jsonPath().getLong(provider + "." + name);
    }
}
