package dev.batchwise.simulator;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.batches.BatchError;
import com.openai.models.batches.BatchListPage;
import com.openai.models.batches.BatchListParams;
import com.openai.models.batches.BatchRequestCounts;
import com.openai.models.batches.BatchUsage;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI side of the provider simulator, driven by the official Java SDK (the referee: if the SDK can
 * read it, a client built on the SDK can too). Knobs are set through {@code PUT /sim/config} and restored
 * after each test; counters are compared as deltas, since other tests in this JVM use the simulator too.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class OpenAiSimulatorSdkTest {

    private static final String MODEL = "gpt-4o-mini";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TestHTTPResource("/sim/openai/v1")
    URL baseUrl;

    private String savedKnobs;
    /** The key the simulator accepts: the configured one, if the profile sets one; else any. */
    private String apiKey;
    private final List<OpenAIClient> clients = new ArrayList<>();
    private final List<Path> tempFiles = new ArrayList<>();

    @BeforeEach
    void saveKnobs() {
        savedKnobs = given().get("/sim/config").then().statusCode(200).extract().asString();
        // GET /sim/config never shows the key itself, so the configured one comes from the config
        apiKey = ConfigProvider.getConfig().getOptionalValue("batchwise.simulator.api-key", String.class)
                .orElse("sk-test-batchwise");
        // a well-behaved, fast provider, whatever the profile or an earlier test left behind
        knobs(Map.ofEntries(Map.entry("batchFixedMs", 300), Map.entry("batchPerItemMs", 0),
                Map.entry("itemErrorRate", 0), Map.entry("neverFinish", false), Map.entry("expireAfterMs", 86_400_000),
                Map.entry("failBatches", false), Map.entry("requestsPerSecond", 0), Map.entry("maxConcurrent", 0),
                Map.entry("overloadedRate", 0), Map.entry("latencyMs", 0), Map.entry("cacheMinTokens", 1024),
                Map.entry("openaiMaxFileBytes", 209_715_200)));
    }

    @AfterEach
    void restore() throws IOException {
        given().contentType(ContentType.JSON).body(savedKnobs).put("/sim/config").then().statusCode(200);
        clients.forEach(OpenAIClient::close);
        for (Path file : tempFiles) {
            Files.deleteIfExists(file);
        }
    }

    // ---- the happy path ----

    @Test
    void aBatchRunsToCompletedAndAnswersEveryCustomId() throws IOException {
        OpenAIClient client = client(0);
        long createdBefore = stat("batchesCreated");
        long requestsBefore = stat("batchRequests");
        List<String> ids = customIds("ok", 20);
        Path input = jsonl(ids.stream().map(id -> line(id, "Be terse.", "Say hello to " + id, null)).toList());

        FileObject file = upload(client, input);
        assertTrue(file.id().startsWith("file-"), file.id());
        assertEquals(FileObject.Purpose.BATCH, file.purpose());
        assertEquals(Files.size(input), file.bytes());
        assertEquals(input.getFileName().toString(), file.filename());
        assertEquals(FileObject.Status.PROCESSED, file.status());
        assertEquals(file.createdAt() + 30L * 24 * 3600, file.expiresAt().orElseThrow(), "batch files live 30 days");
        assertEquals(file.id(), client.files().retrieve(file.id()).id());
        assertEquals(Files.readString(input), new String(content(client, file.id()), StandardCharsets.UTF_8));

        Batch created = client.batches().create(BatchCreateParams.builder().inputFileId(file.id())
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H)
                .metadata(BatchCreateParams.Metadata.builder()
                        .putAdditionalProperty("job", JsonValue.from("nightly")).build())
                .build());
        assertEquals(Batch.Status.VALIDATING, created.status());
        assertTrue(created.id().startsWith("batch_"), created.id());
        assertEquals(0, created.requestCounts().orElseThrow().total());
        assertTrue(created.outputFileId().isEmpty());
        assertEquals(created.createdAt() + 86_400, created.expiresAt().orElseThrow());

        Batch done = awaitStatus(client, created.id(), Batch.Status.COMPLETED);
        assertTrue(done.inProgressAt().isPresent() && done.finalizingAt().isPresent() && done.completedAt().isPresent());
        assertTrue(done.failedAt().isEmpty() && done.cancelledAt().isEmpty() && done.expiredAt().isEmpty());
        assertCounts(done, 20, 20, 0);
        assertTrue(done.errorFileId().isEmpty(), "no error file when nothing failed");
        assertEquals(MODEL, done.model().orElseThrow());
        assertEquals("nightly", done.metadata().orElseThrow()._additionalProperties().get("job").asStringOrThrow());
        BatchUsage usage = done.usage().orElseThrow();
        assertTrue(usage.inputTokens() > 0 && usage.outputTokens() > 0);
        assertEquals(usage.inputTokens() + usage.outputTokens(), usage.totalTokens());

        String outputId = done.outputFileId().orElseThrow();
        byte[] output = content(client, outputId);
        List<JsonNode> lines = lines(output);
        List<String> answered = lines.stream().map(l -> l.get("custom_id").asText()).toList();
        assertEquals(new HashSet<>(ids), new HashSet<>(answered));
        assertEquals(ids.size(), answered.size());
        assertNotEquals(ids, answered, "lines come out of file order; clients must match by custom_id");
        for (JsonNode line : lines) {
            assertTrue(line.get("id").asText().startsWith("batch_req_"));
            assertEquals(200, line.at("/response/status_code").asInt());
            assertEquals("chat.completion", line.at("/response/body/object").asText());
            assertEquals("stop", line.at("/response/body/choices/0/finish_reason").asText());
            assertTrue(line.get("error").isNull());
        }
        for (String text : new String(output, StandardCharsets.UTF_8).split("\n")) {
            assertTrue(text.startsWith("{"), "one JSON object per line, nothing before it: " + text);
        }
        FileObject outputFile = client.files().retrieve(outputId);
        assertEquals(FileObject.Purpose.BATCH_OUTPUT, outputFile.purpose());
        assertEquals(output.length, outputFile.bytes());
        assertTrue(outputFile.filename().endsWith(".jsonl"));
        assertEquals(output.length, content(client, outputId).length, "the output file is the same each time");

        assertEquals(1, stat("batchesCreated") - createdBefore);
        assertEquals(20, stat("batchRequests") - requestsBefore);

        assertTrue(client.files().delete(file.id()).deleted());
        assertThrows(NotFoundException.class, () -> client.files().retrieve(file.id()));
        assertTrue(client.files().delete(outputId).deleted());
        assertThrows(NotFoundException.class, () -> client.files().retrieve(outputId));
    }

    @Test
    void batchesListNewestFirstAndPageWithAfter() throws IOException {
        OpenAIClient client = client(0);
        FileObject file = upload(client, jsonl(List.of(line("only", "Be terse.", "List me", null))));
        String first = createBatch(client, file.id()).id();
        String second = createBatch(client, file.id()).id();
        String third = createBatch(client, file.id()).id();

        BatchListPage page = client.batches().list(BatchListParams.builder().limit(2L).build());
        assertEquals(List.of(third, second), page.data().stream().map(Batch::id).toList());
        assertTrue(page.hasMore().orElseThrow());
        BatchListPage next = client.batches().list(BatchListParams.builder().after(second).limit(1L).build());
        assertEquals(List.of(first), next.data().stream().map(Batch::id).toList());

        List<String> all = page.autoPager().stream().map(Batch::id).toList();
        assertTrue(all.indexOf(third) < all.indexOf(second) && all.indexOf(second) < all.indexOf(first), all.toString());
        assertThrows(BadRequestException.class,
                () -> client.batches().list(BatchListParams.builder().limit(101L).build()));
    }

    // ---- cancel, expiry, failures ----

    @Test
    void aCancelledBatchKeepsWhatRanAndMarksTheRestBatchCancelled() throws IOException {
        knobs(Map.of("batchFixedMs", 4000));
        OpenAIClient client = client(0);
        long cancelsBefore = stat("cancels");
        FileObject file = upload(client, jsonl(customIds("cancel", 20).stream()
                .map(id -> line(id, "Be terse.", "Count to " + id, null)).toList()));
        Batch batch = createBatch(client, file.id());
        await().atMost(WAIT).until(() -> client.batches().retrieve(batch.id()),
                b -> b.requestCounts().map(BatchRequestCounts::completed).orElse(0L) >= 1);

        Batch cancelling = client.batches().cancel(batch.id());
        assertEquals(Batch.Status.CANCELLING, cancelling.status());
        assertTrue(cancelling.cancellingAt().isPresent());
        assertTrue(cancelling.outputFileId().isEmpty() && cancelling.errorFileId().isEmpty(),
                "no files until cancelled");
        Batch cancelled = awaitStatus(client, batch.id(), Batch.Status.CANCELLED);
        assertTrue(cancelled.cancelledAt().isPresent() && cancelled.inProgressAt().isPresent());
        assertTrue(cancelled.completedAt().isEmpty());
        BatchRequestCounts counts = cancelled.requestCounts().orElseThrow();
        assertEquals(20, counts.total());
        assertTrue(counts.completed() >= 1 && counts.completed() < 20, counts.toString());
        assertEquals(0, counts.failed(), "requests that never ran are neither completed nor failed");

        assertEquals(counts.completed(), lines(content(client, cancelled.outputFileId().orElseThrow())).size());
        List<JsonNode> errors = lines(content(client, cancelled.errorFileId().orElseThrow()));
        assertEquals(counts.total() - counts.completed(), errors.size(), "every request not run is in the error file");
        for (JsonNode line : errors) {
            assertTrue(line.get("response").isNull());
            assertEquals("batch_cancelled", line.at("/error/code").asText());
        }
        assertEquals(1, stat("cancels") - cancelsBefore);
        BadRequestException again = assertThrows(BadRequestException.class, () -> client.batches().cancel(batch.id()));
        assertTrue(again.getMessage().contains("cancelled"), again.getMessage());
    }

    @Test
    void requestsKeepRunningWhileTheCancelDrains() throws IOException {
        // validating 1 s, then a request every 0.8 s: the drain of 2.4 s lets at least two more finish
        knobs(Map.of("batchFixedMs", 10_000, "cancelDrainMs", 2400));
        OpenAIClient client = client(0);
        FileObject file = upload(client, jsonl(customIds("drain", 10).stream()
                .map(id -> line(id, "Be terse.", "Drain " + id, null)).toList()));
        Batch batch = createBatch(client, file.id());
        awaitStatus(client, batch.id(), Batch.Status.IN_PROGRESS);

        Batch cancelling = client.batches().cancel(batch.id());
        assertEquals(Batch.Status.CANCELLING, cancelling.status());
        assertTrue(cancelling.outputFileId().isEmpty() && cancelling.errorFileId().isEmpty());
        long completedAtCancel = cancelling.requestCounts().orElseThrow().completed();

        Batch cancelled = awaitStatus(client, batch.id(), Batch.Status.CANCELLED);
        BatchRequestCounts counts = cancelled.requestCounts().orElseThrow();
        assertTrue(counts.completed() >= completedAtCancel + 2, "the drain finished in-flight work: " + counts
                + ", completed at the cancel: " + completedAtCancel);
        assertEquals(0, counts.failed());
        assertEquals(counts.completed(), lines(content(client, cancelled.outputFileId().orElseThrow())).size(),
                "what finished during the drain is in the output file");
        assertEquals(10 - counts.completed(), lines(content(client, cancelled.errorFileId().orElseThrow())).size());
        assertTrue(cancelled.usage().orElseThrow().outputTokens() > 0, "work done during the drain is billed");
    }

    @Test
    void aBatchThatNeverFinishesExpiresWithWhatWasProcessed() throws IOException {
        knobs(Map.of("neverFinish", true, "expireAfterMs", 1500));
        OpenAIClient client = client(0);
        FileObject file = upload(client, jsonl(customIds("expire", 10).stream()
                .map(id -> line(id, "Be terse.", "Wait for " + id, null)).toList()));
        Batch batch = createBatch(client, file.id());
        Batch expired = awaitStatus(client, batch.id(), Batch.Status.EXPIRED);
        assertTrue(expired.expiredAt().isPresent() && expired.inProgressAt().isPresent());
        assertTrue(expired.completedAt().isEmpty() && expired.finalizingAt().isEmpty());
        assertCounts(expired, 10, 5, 0); // stalled half-way; the unrun half is neither completed nor failed
        assertEquals(5, lines(content(client, expired.outputFileId().orElseThrow())).size());
        List<JsonNode> errors = lines(content(client, expired.errorFileId().orElseThrow()));
        assertEquals(5, errors.size());
        errors.forEach(line -> assertEquals("batch_expired", line.at("/error/code").asText()));
        assertTrue(expired.usage().orElseThrow().outputTokens() > 0, "the processed half is billed");
    }

    @Test
    void itemErrorsAndRejectedBodiesAreHttpFailuresInTheErrorFile() throws IOException {
        knobs(Map.of("itemErrorRate", 0.5));
        OpenAIClient client = client(0);
        List<String> lines = new ArrayList<>(customIds("partial", 20).stream()
                .map(id -> line(id, "Be terse.", "Try " + id, null)).toList());
        lines.add("{\"custom_id\":\"no-model\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                + "\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}");
        lines.add("{\"custom_id\":\"no-messages\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                + "\"body\":{\"model\":\"" + MODEL + "\",\"messages\":[]}}");
        Batch batch = createBatch(client, upload(client, jsonl(lines)).id());
        Batch done = awaitStatus(client, batch.id(), Batch.Status.COMPLETED);
        BatchRequestCounts counts = done.requestCounts().orElseThrow();
        assertEquals(22, counts.total());
        assertTrue(counts.completed() >= 1 && counts.failed() >= 3, counts.toString());
        assertEquals(22, counts.completed() + counts.failed());

        List<JsonNode> errors = lines(content(client, done.errorFileId().orElseThrow()));
        assertEquals(counts.failed(), errors.size());
        Map<String, JsonNode> byId = errors.stream().collect(Collectors.toMap(l -> l.get("custom_id").asText(), l -> l));
        for (String rejected : List.of("no-model", "no-messages")) {
            JsonNode line = byId.remove(rejected);
            assertEquals(400, line.at("/response/status_code").asInt(), line.toString());
            assertEquals("invalid_request_error", line.at("/response/body/error/type").asText());
            assertTrue(line.get("error").isNull());
        }
        assertEquals("messages", errors.stream().filter(l -> l.get("custom_id").asText().equals("no-messages"))
                .findFirst().orElseThrow().at("/response/body/error/param").asText());
        for (JsonNode line : byId.values()) {
            assertEquals(500, line.at("/response/status_code").asInt(), line.toString());
            assertEquals("server_error", line.at("/response/body/error/type").asText());
            assertTrue(line.at("/response/body/error").has("param"), "all four error keys are present");
            assertTrue(line.get("error").isNull(), "HTTP-level failures have a null top-level error");
        }
        assertEquals(counts.completed(), lines(content(client, done.outputFileId().orElseThrow())).size());
    }

    @Test
    void aBatchWhoseEveryRequestFailsHasNoOutputFile() throws IOException {
        OpenAIClient client = client(0);
        Batch batch = createBatch(client, upload(client, jsonl(List.of(
                "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":[]}}")))
                .id());
        Batch done = awaitStatus(client, batch.id(), Batch.Status.COMPLETED);
        assertCounts(done, 1, 0, 1);
        assertTrue(done.outputFileId().isEmpty(), "real batches report output_file_id null when nothing succeeded");
        assertEquals(1, lines(content(client, done.errorFileId().orElseThrow())).size());
    }

    @Test
    void malformedLinesFailTheBatchWithLineNumberedErrors() throws IOException {
        OpenAIClient client = client(0);
        Path input = jsonl(List.of(
                line("one", "Be terse.", "Fine", null),
                "{not json",
                line("two", "Be terse.", "Wrong url", null).replace("/v1/chat/completions", "/v1/embeddings"),
                line("one", "Be terse.", "Duplicate", null),
                line("three", "Be terse.", "Wrong method", null).replace("\"POST\"", "\"GET\"")));
        Batch batch = createBatch(client, upload(client, input).id());
        Batch failed = awaitStatus(client, batch.id(), Batch.Status.FAILED);
        assertTrue(failed.failedAt().isPresent());
        assertTrue(failed.inProgressAt().isEmpty() && failed.outputFileId().isEmpty() && failed.errorFileId().isEmpty());
        assertCounts(failed, 0, 0, 0);
        Batch.Errors errors = failed.errors().orElseThrow();
        Map<Long, String> codeByLine = new HashMap<>();
        for (BatchError error : errors.data().orElseThrow()) {
            codeByLine.put(error.line().orElseThrow(), error.code().orElseThrow());
            assertTrue(error.message().orElse("").length() > 10);
        }
        assertEquals(Map.of(2L, "invalid_json_line", 3L, "url_mismatch", 4L, "duplicate_custom_id",
                5L, "invalid_method"), codeByLine);
    }

    @Test
    void theFailBatchesKnobFailsNewBatchesAtBatchLevel() throws IOException {
        knobs(Map.of("failBatches", true));
        OpenAIClient client = client(0);
        Batch batch = createBatch(client, upload(client, jsonl(List.of(line("x", "Be terse.", "Hi", null)))).id());
        Batch failed = awaitStatus(client, batch.id(), Batch.Status.FAILED);
        BatchError error = failed.errors().orElseThrow().data().orElseThrow().get(0);
        assertEquals("token_limit_exceeded", error.code().orElseThrow());
        assertTrue(error.line().isEmpty());
    }

    @Test
    void onlyTheSizeLimitRefusesAnUpload() throws IOException {
        OpenAIClient client = client(0);
        knobs(Map.of("openaiMaxFileBytes", 1000));
        Path big = jsonl(customIds("big", 20).stream().map(id -> line(id, "Be terse.", "Pad " + id, null)).toList());
        BadRequestException tooBig = assertThrows(BadRequestException.class, () -> upload(client, big));
        assertTrue(tooBig.getMessage().contains("File is too large."), tooBig.getMessage());
        assertTrue(tooBig.param().isEmpty(), "param is null");
        JsonNode raw = readJson(given().header("Authorization", "Bearer " + apiKey).multiPart("file", big.toFile())
                .multiPart("purpose", "batch").post(baseUrl + "/files").then().statusCode(400).extract().asString());
        assertEquals("File is too large.", raw.at("/error/message").asText());
        assertTrue(raw.at("/error/param").isNull());

        knobs(Map.of("openaiMaxFileBytes", 209_715_200));
        Path many = jsonl(IntStream.range(0, 50_001).mapToObj(i -> "{}").toList());
        FileObject accepted = upload(client, many);
        assertEquals(FileObject.Purpose.BATCH, accepted.purpose(), "more than 50,000 lines is no upload error");

        FileObject other = client.files().create(FileCreateParams.builder().purpose(FilePurpose.USER_DATA)
                .file(many).build());
        assertEquals(FileObject.Purpose.USER_DATA, other.purpose(), "other purposes are stored without the batch limits");
        assertTrue(other.expiresAt().isEmpty());
    }

    @Test
    void aFileOfMoreThan50000LinesFailsTheBatchInValidatingWithTooManyTasks() throws IOException {
        OpenAIClient client = client(0);
        List<String> lines = IntStream.range(0, 50_001).mapToObj(i -> line("t" + i, "Be terse.", "Hi", null)).toList();
        long requestsBefore = stat("batchRequests");
        Batch batch = createBatch(client, upload(client, jsonl(lines)).id());
        assertEquals(Batch.Status.VALIDATING, batch.status());
        Batch failed = awaitStatus(client, batch.id(), Batch.Status.FAILED);
        BatchError error = failed.errors().orElseThrow().data().orElseThrow().get(0);
        assertEquals("too_many_tasks", error.code().orElseThrow());
        assertEquals(1, failed.errors().orElseThrow().data().orElseThrow().size());
        assertCounts(failed, 0, 0, 0);
        assertTrue(failed.outputFileId().isEmpty() && failed.errorFileId().isEmpty(), "no files");
        assertTrue(failed.failedAt().isPresent() && failed.inProgressAt().isEmpty());
        assertEquals(50_001, stat("batchRequests") - requestsBefore);
    }

    // ---- auth, unknown ids ----

    @Test
    void aRequestWithoutAKeyIs401InOpenAisShape() {
        OpenAIClient noKey = track(OpenAIOkHttpClient.builder().baseUrl(baseUrl.toString()).apiKey("unused")
                .removeHeaders("Authorization").maxRetries(0).build());
        UnauthorizedException e = assertThrows(UnauthorizedException.class, () -> noKey.batches().list());
        assertEquals("invalid_api_key", e.code().orElseThrow());
        assertEquals("invalid_request_error", e.type().orElseThrow());

        JsonNode body = readJson(given().header("Authorization", "Bearer ").get(baseUrl + "/batches")
                .then().statusCode(401).extract().asString());
        JsonNode error = body.get("error");
        assertTrue(error.get("param").isNull());
        assertEquals("invalid_api_key", error.get("code").asText());
        assertTrue(error.get("message").asText().contains("API key"));
    }

    @Test
    void unknownIdsAre404() {
        OpenAIClient client = client(0);
        NotFoundException batch = assertThrows(NotFoundException.class, () -> client.batches().retrieve("batch_nope"));
        assertEquals("invalid_request_error", batch.type().orElseThrow());
        assertThrows(NotFoundException.class, () -> client.batches().cancel("batch_nope"));
        assertThrows(NotFoundException.class, () -> client.files().retrieve("file-nope"));
        assertThrows(NotFoundException.class, () -> client.files().delete("file-nope"));
        assertThrows(NotFoundException.class, () -> client.files().content("file-nope").close());
    }

    // ---- real time ----

    @Test
    void aRateLimitedCallIsRetriedAfterRetryAfterAndSucceeds() {
        knobs(Map.of("requestsPerSecond", 2, "retryAfterMs", 2000));
        OpenAIClient client = client(2);
        long limitedBefore = stat("rateLimited");
        long slowest = 0;
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            ChatCompletion answer = client.chat().completions().create(chat("Be terse.", "Ping " + i, null));
            slowest = Math.max(slowest, (System.nanoTime() - start) / 1_000_000);
            assertFalse(answer.choices().isEmpty());
        }
        assertTrue(stat("rateLimited") - limitedBefore >= 1, "three calls at once exceed 2 per second");
        // the SDK's own backoff without a header is 0.5 s and 1 s; 2 s proves it waited as told
        assertTrue(slowest >= 1900, "slowest call took " + slowest + " ms");

        ExtractableResponse<?> limited = null;
        for (int i = 0; i < 5 && limited == null; i++) {
            ExtractableResponse<?> response = given().header("Authorization", "Bearer " + apiKey)
                    .contentType(ContentType.JSON).body(chatJson("Be terse.", "Raw " + i))
                    .post(baseUrl + "/chat/completions").then().extract();
            limited = response.statusCode() == 429 ? response : null;
        }
        assertTrue(limited != null, "a burst of raw calls is rate limited");
        assertEquals("2", limited.header("retry-after"));
        assertEquals("2000", limited.header("retry-after-ms"));
        assertEquals("2", limited.header("x-ratelimit-limit-requests"));
        assertEquals("0", limited.header("x-ratelimit-remaining-requests"));
        JsonNode error = readJson(limited.asString()).get("error");
        assertEquals("rate_limit_exceeded", error.get("code").asText());
    }

    @Test
    void injectedServerErrorsSurfaceAfterTheSdksRetries() {
        knobs(Map.of("overloadedRate", 1.0));
        OpenAIClient client = client(1);
        long overloadedBefore = stat("overloaded");
        InternalServerException e = assertThrows(InternalServerException.class,
                () -> client.chat().completions().create(chat("Be terse.", "Fail", null)));
        assertTrue(e.statusCode() == 500 || e.statusCode() == 503, "status " + e.statusCode());
        assertEquals(2, stat("overloaded") - overloadedBefore, "one call and one retry");

        ExtractableResponse<?> raw = given().header("Authorization", "Bearer " + apiKey).contentType(ContentType.JSON)
                .body(chatJson("Be terse.", "Raw")).post(baseUrl + "/chat/completions").then().extract();
        JsonNode error = readJson(raw.asString()).get("error");
        if (raw.statusCode() == 503) {
            assertEquals("server_is_overloaded", error.get("code").asText());
            assertEquals("service_unavailable_error", error.get("type").asText());
        } else {
            assertEquals(500, raw.statusCode());
            assertEquals("server_error", error.get("type").asText());
        }
    }

    @Test
    void theRealTimeAnswerIsByteIdenticalToTheBatchAnswer() throws IOException {
        OpenAIClient client = client(0);
        String marker = UUID.randomUUID().toString();
        Map<String, String[]> requests = Map.of(
                "plain", new String[] {"Be terse.", "Describe " + marker, null},
                "quality", new String[] {"Rate the quality of this atom and give a score.", "Atom " + marker, null},
                "short", new String[] {"Be terse.", "Ramble on " + marker, "3"});
        Path input = jsonl(requests.entrySet().stream().map(r -> line(r.getKey(), r.getValue()[0], r.getValue()[1],
                r.getValue()[2] == null ? null : Integer.valueOf(r.getValue()[2]))).toList());
        Batch done = awaitStatus(client, createBatch(client, upload(client, input).id()).id(), Batch.Status.COMPLETED);
        Map<String, JsonNode> batchAnswers = lines(content(client, done.outputFileId().orElseThrow())).stream()
                .collect(Collectors.toMap(l -> l.get("custom_id").asText(), l -> l.at("/response/body")));

        for (Map.Entry<String, String[]> request : requests.entrySet()) {
            String[] r = request.getValue();
            ChatCompletion live = client.chat().completions()
                    .create(chat(r[0], r[1], r[2] == null ? null : Long.valueOf(r[2])));
            JsonNode batched = batchAnswers.get(request.getKey());
            ChatCompletion.Choice choice = live.choices().get(0);
            assertEquals(batched.at("/choices/0/message/content").asText(), choice.message().content().orElseThrow(),
                    request.getKey());
            assertEquals(batched.at("/choices/0/finish_reason").asText(), choice.finishReason().asString());
            assertEquals(batched.at("/usage/completion_tokens").asLong(), live.usage().orElseThrow().completionTokens());
            assertEquals(batched.at("/usage/prompt_tokens").asLong(), live.usage().orElseThrow().promptTokens());
        }
        assertEquals("length", batchAnswers.get("short").at("/choices/0/finish_reason").asText());
        assertTrue(batchAnswers.get("quality").at("/choices/0/message/content").asText().contains("score"));
    }

    @Test
    void aRepeatedLongSystemPromptIsReportedAsCachedTokens() {
        OpenAIClient client = client(0);
        String system = "You grade atoms (" + UUID.randomUUID() + "). " + "Rule: name one observable outcome. ".repeat(150);
        ChatCompletion first = client.chat().completions().create(chat(system, "Atom one", null));
        ChatCompletion second = client.chat().completions().create(chat(system, "Atom two", null));
        long firstCached = first.usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens().orElseThrow();
        long secondCached = second.usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens().orElseThrow();
        assertEquals(0, firstCached);
        assertEquals((system.length() + 3) / 4, secondCached, "the system prompt is the cached prefix");
        assertTrue(second.usage().orElseThrow().promptTokens() > secondCached, "prompt_tokens includes cached_tokens");

        ChatCompletion shortPrompt = client.chat().completions().create(chat("Be terse.", "Atom three", null));
        assertEquals(0, shortPrompt.usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens().orElseThrow());
    }

    // ---- helpers ----

    private OpenAIClient client(int maxRetries) {
        return track(OpenAIOkHttpClient.builder().baseUrl(baseUrl.toString()).apiKey(apiKey)
                .maxRetries(maxRetries).build());
    }

    private OpenAIClient track(OpenAIClient client) {
        clients.add(client);
        return client;
    }

    private static void knobs(Map<String, ?> settings) {
        given().contentType(ContentType.JSON).body(settings).put("/sim/config").then().statusCode(200);
    }

    private static long stat(String name) {
        return given().get("/sim/stats").then().statusCode(200).extract().jsonPath().getLong("openai." + name);
    }

    private static List<String> customIds(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + "-" + i).toList();
    }

    /** One input line: a chat request with a system and a user message. */
    private static String line(String customId, String system, String user, Integer maxCompletionTokens) {
        ObjectNode line = JSON.createObjectNode();
        line.put("custom_id", customId);
        line.put("method", "POST");
        line.put("url", "/v1/chat/completions");
        ObjectNode body = line.putObject("body");
        body.put("model", MODEL);
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", system);
        messages.addObject().put("role", "user").put("content", user);
        if (maxCompletionTokens != null) {
            body.put("max_completion_tokens", maxCompletionTokens);
        }
        return line.toString();
    }

    private static String chatJson(String system, String user) {
        return JSON.createObjectNode().put("model", MODEL).set("messages", JSON.createArrayNode()
                .add(JSON.createObjectNode().put("role", "system").put("content", system))
                .add(JSON.createObjectNode().put("role", "user").put("content", user))).toString();
    }

    private static ChatCompletionCreateParams chat(String system, String user, Long maxCompletionTokens) {
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder().model(MODEL)
                .addSystemMessage(system).addUserMessage(user);
        if (maxCompletionTokens != null) {
            params.maxCompletionTokens(maxCompletionTokens);
        }
        return params.build();
    }

    private Path jsonl(List<String> lines) throws IOException {
        Path file = Files.createTempFile("openai-sim-batch-", ".jsonl");
        tempFiles.add(file);
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    private static FileObject upload(OpenAIClient client, Path file) {
        return client.files().create(FileCreateParams.builder().purpose(FilePurpose.BATCH).file(file).build());
    }

    private static Batch createBatch(OpenAIClient client, String fileId) {
        return client.batches().create(BatchCreateParams.builder().inputFileId(fileId)
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H).build());
    }

    private static Batch awaitStatus(OpenAIClient client, String batchId, Batch.Status status) {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> client.batches().retrieve(batchId), b -> b.status().equals(status));
    }

    private static void assertCounts(Batch batch, long total, long completed, long failed) {
        BatchRequestCounts counts = batch.requestCounts().orElseThrow();
        assertEquals(List.of(total, completed, failed), List.of(counts.total(), counts.completed(), counts.failed()),
                "total, completed, failed");
    }

    private static byte[] content(OpenAIClient client, String fileId) {
        try (HttpResponse response = client.files().content(fileId); InputStream body = response.body()) {
            return body.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JsonNode> lines(byte[] jsonl) {
        List<JsonNode> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new ByteArrayInputStream(jsonl), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (!line.isBlank()) {
                    lines.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
