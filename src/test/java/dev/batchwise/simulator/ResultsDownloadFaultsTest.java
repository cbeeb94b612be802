package dev.batchwise.simulator;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.batches.BatchCreateParams;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.batches.Batch;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FilePurpose;
import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Results downloads at their worst (provider-apis.md, Corrections 3): the first download cut off mid-line with
 * the connection aborted ({@code resultsCutAfterLines}), and lines broken after their custom_id
 * ({@code malformedLineRate}). Raw downloads use java.net.http, so what a client sees is not shaped by an SDK.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class ResultsDownloadFaultsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CUSTOM_ID = Pattern.compile("^\\{(?:\"id\":\"batch_req_[0-9a-f]+\",)?"
            + "\"custom_id\":\"([^\"]+)\"");

    @TestHTTPResource("/")
    URL root;

    private String savedKnobs;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Path> tempFiles = new ArrayList<>();

    @BeforeEach
    void fastWellBehavedProvider() {
        savedKnobs = given().get("/sim/config").then().statusCode(200).extract().asString();
        knobs(Map.of("batchFixedMs", 300, "batchPerItemMs", 0, "itemErrorRate", 0, "neverFinish", false,
                "failBatches", false, "batchEndpointErrorRate", 0, "resultsCutAfterLines", 0, "malformedLineRate", 0,
                "apiKey", "sk-results-test"));
    }

    @AfterEach
    void restore() throws Exception {
        given().contentType(ContentType.JSON).body(savedKnobs).put("/sim/config").then().statusCode(200);
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        for (Path file : tempFiles) {
            Files.deleteIfExists(file);
        }
    }

    // ---- the cut ----

    @Test
    void anthropicFirstDownloadIsCutMidLineAndAbortedTheSecondIsWhole() throws Exception {
        String id = anthropicBatch(6);
        knobs(Map.of("resultsCutAfterLines", 2));
        long downloads = stat("anthropic", "resultsDownloads");

        Cut cut = cutDownload(HttpClient.Version.HTTP_1_1, anthropicResults(id));
        assertEquals(2, cut.wholeLines().size(), "K whole lines before the cut: " + cut);
        cut.wholeLines().forEach(line -> assertNotNull(readJson(line).get("custom_id")));
        assertFalse(cut.partialLine().isEmpty(), "part of the next line is sent before the abort");
        assertTrue(cut.partialLine().startsWith("{\"custom_id\":"), cut.partialLine());

        List<String> whole = wholeDownload(anthropicResults(id));
        assertEquals(6, whole.size());
        assertEquals(Set.of("item-0", "item-1", "item-2", "item-3", "item-4", "item-5"),
                whole.stream().map(l -> readJson(l).get("custom_id").asText()).collect(Collectors.toSet()));
        assertEquals(2, stat("anthropic", "resultsDownloads") - downloads, "both downloads are counted");
    }

    @Test
    void overHttp2TheCutIsAStreamResetAfterThePartSent() throws Exception {
        String id = anthropicBatch(6);
        knobs(Map.of("resultsCutAfterLines", 3));
        // java.net.http asks for an upgrade to h2c on a fresh connection, which the server grants
        // An HTTP/2 reset may overtake the frames queued before it (RST_STREAM discards what the stream still had
        // to send; seen in CI: the client's send() failed before any response head). So here the cut is an error
        // after at most the 3 whole lines, never a clean end; HTTP/1.1 (the tests above) checks the exact part.
        Cut cut = cutDownload(HttpClient.Version.HTTP_2, anthropicResults(id), true);
        assertTrue(cut.version() == null || cut.version() == HttpClient.Version.HTTP_2, cut.toString());
        assertTrue(cut.wholeLines().size() <= 3, cut.toString());
        cut.wholeLines().forEach(line -> assertTrue(line.startsWith("{\"custom_id\":"), line));
        assertEquals(6, wholeDownload(anthropicResults(id)).size());
    }

    @Test
    void theAnthropicSdkSeesTheCutAsAnErrorNotAsAShortResult() {
        String id = anthropicBatch(5);
        knobs(Map.of("resultsCutAfterLines", 3));
        AnthropicClient client = anthropic();
        List<String> seen = new ArrayList<>();
        RuntimeException e = assertThrows(RuntimeException.class, () -> {
            try (StreamResponse<MessageBatchIndividualResponse> results = client.messages().batches()
                    .resultsStreaming(id)) {
                results.stream().forEach(r -> seen.add(r.customId()));
            }
        });
        assertTrue(hasCause(e, IOException.class) && !hasCause(e, JsonProcessingException.class),
                "an I/O error, not a parse error after a clean end: " + e);
        assertEquals(3, seen.size(), "the whole lines before the cut were read");
        try (StreamResponse<MessageBatchIndividualResponse> results = client.messages().batches()
                .resultsStreaming(id)) {
            assertEquals(5, results.stream().count());
        }
    }

    @Test
    void openAiFirstDownloadOfTheOutputFileIsCutTheSecondIsWhole() throws Exception {
        OpenAIClient client = openAi();
        Batch done = openAiBatch(client, 7, Batch.Status.COMPLETED);
        String outputId = done.outputFileId().orElseThrow();
        knobs(Map.of("resultsCutAfterLines", 4));
        long downloads = stat("openai", "resultsDownloads");

        Cut cut = cutDownload(HttpClient.Version.HTTP_1_1, openAiContent(outputId));
        assertEquals(4, cut.wholeLines().size(), cut.toString());
        assertTrue(cut.partialLine().startsWith("{\"id\":\"batch_req_"), cut.partialLine());

        // the SDK, on a file it has not downloaded before, fails the same way
        Batch other = openAiBatch(client, 7, Batch.Status.COMPLETED);
        assertThrows(IOException.class, () -> {
            try (com.openai.core.http.HttpResponse response = client.files().content(other.outputFileId().orElseThrow());
                 InputStream body = response.body()) {
                body.readAllBytes();
            }
        }, "OkHttp reports the unfinished chunked body as an IOException");

        List<String> whole = wholeDownload(openAiContent(outputId));
        assertEquals(7, whole.size());
        whole.forEach(line -> assertEquals(200, readJson(line).at("/response/status_code").asInt()));
        assertEquals(3, stat("openai", "resultsDownloads") - downloads);
        long size = client.files().retrieve(outputId).bytes();
        assertEquals(size, String.join("\n", whole).getBytes(StandardCharsets.UTF_8).length + 1,
                "the file object's size is the whole file's");
    }

    @Test
    void resultsWithNoMoreThanKLinesAreNotCut() throws Exception {
        String id = anthropicBatch(2);
        knobs(Map.of("resultsCutAfterLines", 2));
        assertEquals(2, wholeDownload(anthropicResults(id)).size());
    }

    // ---- malformed lines ----

    @Test
    void anthropicMalformedLinesKeepTheirCustomIdAndAreTheSameOnEveryDownload() throws Exception {
        knobs(Map.of("malformedLineRate", 0.5));
        String id = anthropicBatch(30);
        knobs(Map.of("malformedLineRate", 0)); // fixed when the batch was created

        List<String> lines = wholeDownload(anthropicResults(id));
        assertEquals(30, lines.size());
        Set<String> broken = brokenCustomIds(lines, l -> l.startsWith("{\"custom_id\":\"item-"));
        assertTrue(!broken.isEmpty() && broken.size() < 30, "about half are broken: " + broken);
        assertEquals(IntStream.range(0, 30).mapToObj(i -> "item-" + i).collect(Collectors.toSet()),
                lines.stream().map(ResultsDownloadFaultsTest::customIdOf).collect(Collectors.toSet()),
                "every line, broken or not, names its item");
        assertEquals(broken, brokenCustomIds(wholeDownload(anthropicResults(id)), l -> true),
                "the same lines are broken on every download");
    }

    @Test
    void openAiMalformedLinesKeepTheirCustomId() throws Exception {
        knobs(Map.of("malformedLineRate", 0.5, "itemErrorRate", 0.3));
        OpenAIClient client = openAi();
        Batch done = openAiBatch(client, 30, Batch.Status.COMPLETED);
        List<String> lines = new ArrayList<>(wholeDownload(openAiContent(done.outputFileId().orElseThrow())));
        lines.addAll(wholeDownload(openAiContent(done.errorFileId().orElseThrow())));
        assertEquals(30, lines.size());
        Set<String> broken = brokenCustomIds(lines, l -> l.startsWith("{\"id\":\"batch_req_"));
        assertTrue(!broken.isEmpty() && broken.size() < 30, "about half are broken: " + broken);
        assertEquals(IntStream.range(0, 30).mapToObj(i -> "req-" + i).collect(Collectors.toSet()),
                lines.stream().map(ResultsDownloadFaultsTest::customIdOf).collect(Collectors.toSet()));
        long size = client.files().retrieve(done.outputFileId().orElseThrow()).bytes();
        assertEquals(size, wholeBytes(openAiContent(done.outputFileId().orElseThrow())).length,
                "the size shown is that of the file as served, broken lines included");
    }

    @Test
    void withoutTheKnobEveryLineIsJson() throws Exception {
        String id = anthropicBatch(10);
        wholeDownload(anthropicResults(id)).forEach(ResultsDownloadFaultsTest::readJson);
    }

    // ---- helpers ----

    /** What a cut download delivered before the error: whole lines, and the part of the next one. */
    record Cut(HttpClient.Version version, List<String> wholeLines, String partialLine, Throwable error) {
    }

    /**
     * Downloads with a subscriber that keeps every byte received, since java.net.http's own body handlers drop
     * what they hold once the body fails; a clean end of the body fails the test.
     */
    private Cut cutDownload(HttpClient.Version version, HttpRequest request) throws Exception {
        return cutDownload(version, request, false);
    }

    /** {@code resetMayOvertake}: an error before the response head counts as the cut too (HTTP/2). */
    private Cut cutDownload(HttpClient.Version version, HttpRequest request, boolean resetMayOvertake)
            throws Exception {
        Recording recording = new Recording();
        HttpClient client = HttpClient.newBuilder().version(version).build();
        try {
            client.send(request, info -> {
                recording.status = info.statusCode();
                recording.version = info.version();
                return HttpResponse.BodySubscribers.fromSubscriber(recording);
            });
        } catch (IOException expected) {
            // the body failed; what arrived before is in the recording. A reset that overtook the response head
            // fails send() before the body subscriber exists: then this is the end it would have seen.
            recording.end.complete(Optional.of(expected));
        }
        // a deadline for a broken cut (no end at all), generous for a loaded machine
        Throwable error = recording.end.get(60, TimeUnit.SECONDS).orElse(null);
        String text = recording.text();
        if (!(resetMayOvertake && recording.status == 0)) {
            assertEquals(200, recording.status);
        }
        assertNotNull(error, "the download ended cleanly instead of failing: " + text);
        assertTrue(error instanceof IOException, "an I/O error: " + error);
        int lastNewline = text.lastIndexOf('\n');
        List<String> whole = lastNewline < 0 ? List.of() : List.of(text.substring(0, lastNewline).split("\n"));
        return new Cut(recording.version, whole,
                text.substring(lastNewline + 1), error);
    }

    /** Keeps the bytes of a body and how it ended (empty: completely). */
    private static final class Recording implements Flow.Subscriber<List<ByteBuffer>> {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CompletableFuture<Optional<Throwable>> end = new CompletableFuture<>();
        volatile HttpClient.Version version;
        volatile int status;

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public synchronized void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable error) {
            end.complete(Optional.of(error));
        }

        @Override
        public void onComplete() {
            end.complete(Optional.empty());
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    private List<String> wholeDownload(HttpRequest request) throws IOException, InterruptedException {
        String text = new String(wholeBytes(request), StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\n"), "every line ends with a newline");
        return text.lines().toList();
    }

    private byte[] wholeBytes(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    private static Set<String> brokenCustomIds(List<String> lines, Predicate<String> startsRight) {
        Set<String> broken = new HashSet<>();
        for (String line : lines) {
            try {
                JSON.readTree(line);
            } catch (IOException e) {
                assertTrue(startsRight.test(line), "a broken line starts like a real one: " + line);
                broken.add(customIdOf(line));
            }
        }
        return broken;
    }

    private static String customIdOf(String line) {
        Matcher m = CUSTOM_ID.matcher(line);
        assertTrue(m.find(), "the custom_id is intact: " + line);
        return m.group(1);
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private String anthropicBatch(int n) {
        AnthropicClient client = anthropic();
        BatchCreateParams.Builder params = BatchCreateParams.builder();
        IntStream.range(0, n).forEach(i -> params.addRequest(BatchCreateParams.Request.builder().customId("item-" + i)
                .params(BatchCreateParams.Request.Params.builder().model("claude-haiku-5-5").maxTokens(100L)
                        .addUserMessage("Results test " + i).build()).build()));
        String id = client.messages().batches().create(params.build()).id();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.messages().batches().retrieve(id).processingStatus(),
                        MessageBatch.ProcessingStatus.ENDED::equals);
        return id;
    }

    private HttpRequest anthropicResults(String id) {
        return HttpRequest.newBuilder(URI.create(base() + "sim/anthropic/v1/messages/batches/" + id + "/results"))
                .header("x-api-key", "sk-results-test").header("anthropic-version", "2023-06-01").build();
    }

    private Batch openAiBatch(OpenAIClient client, int n, Batch.Status until) throws IOException {
        Path input = Files.createTempFile("results-faults-", ".jsonl");
        tempFiles.add(input);
        Files.write(input, IntStream.range(0, n).mapToObj(i -> "{\"custom_id\":\"req-" + i + "\",\"method\":\"POST\","
                + "\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"Results test " + i + " " + input.getFileName() + "\"}]}}")
                .toList());
        String fileId = client.files().create(FileCreateParams.builder().purpose(FilePurpose.BATCH).file(input)
                .build()).id();
        String batchId = client.batches().create(com.openai.models.batches.BatchCreateParams.builder()
                .inputFileId(fileId).endpoint(com.openai.models.batches.BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(com.openai.models.batches.BatchCreateParams.CompletionWindow._24H).build()).id();
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.batches().retrieve(batchId), b -> b.status().equals(until));
    }

    private HttpRequest openAiContent(String fileId) {
        return HttpRequest.newBuilder(URI.create(base() + "sim/openai/v1/files/" + fileId + "/content"))
                .header("Authorization", "Bearer sk-results-test").build();
    }

    private AnthropicClient anthropic() {
        AnthropicClient client = AnthropicOkHttpClient.builder().apiKey("sk-results-test")
                .baseUrl(base() + "sim/anthropic").maxRetries(0).build();
        closeables.add(client::close);
        return client;
    }

    private OpenAIClient openAi() {
        OpenAIClient client = OpenAIOkHttpClient.builder().apiKey("sk-results-test")
                .baseUrl(base() + "sim/openai/v1").maxRetries(0).build();
        closeables.add(client::close);
        return client;
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

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
