package dev.batchwise.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.llm.Provider;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** The OpenAI Batch, Files and Chat Completions APIs, simulated (provider-apis.md §2). */
@ApplicationScoped
class OpenAiSimulator {

    static final String CHAT_ENDPOINT = "/v1/chat/completions";
    private static final Set<String> OTHER_ENDPOINTS = Set.of("/v1/responses", "/v1/embeddings", "/v1/completions",
            "/v1/moderations", "/v1/images/generations", "/v1/images/edits", "/v1/videos");
    private static final int MAX_REQUESTS = Provider.OPENAI.maxRequestsPerBatch();
    /** UNCONFIRMED: OpenAI keeps a cached prefix 5-10 minutes after its last use; we take the short end. */
    private static final Duration CACHE_TTL = Duration.ofMinutes(5);

    private final ObjectMapper mapper;
    private final SimulatorKnobs knobs;
    private final SimulatorStats stats;
    private final OpenAiFileStore files;
    private final OpenAiBatchFiles batchFiles;
    private final PromptCache cache = new PromptCache();
    private final Map<String, OpenAiBatch> batches = new ConcurrentHashMap<>();
    /** Creation order, for the list: two batches created in the same millisecond still list newest first. */
    private final ConcurrentSkipListMap<Long, OpenAiBatch> byCreation = new ConcurrentSkipListMap<>();
    private final AtomicLong created = new AtomicLong();
    /** Output and error file id -> its batch; the files themselves are generated on demand. */
    private final Map<String, OpenAiBatch> batchOfFile = new ConcurrentHashMap<>();
    private final Set<String> deletedFiles = ConcurrentHashMap.newKeySet();

    OpenAiSimulator(ObjectMapper mapper, SimulatorKnobs knobs, SimulatorStats stats, OpenAiFileStore files) {
        this.mapper = mapper;
        this.knobs = knobs;
        this.stats = stats;
        this.files = files;
        this.batchFiles = new OpenAiBatchFiles(mapper);
    }

    // ---- batches ----

    /**
     * {@code POST /v1/batches}. The request is checked now (400s); the input file is read now too, but what is
     * wrong with its lines shows only after {@code validating}, as a failed batch, as the real API does it.
     */
    OpenAiBatch create(JsonNode body) throws IOException {
        if (body == null || !body.isObject()) {
            throw OpenAiError.invalid("The request body must be a JSON object.", null, "invalid_type");
        }
        String inputFileId = requiredText(body, "input_file_id");
        String endpoint = requiredText(body, "endpoint");
        String window = requiredText(body, "completion_window");
        if (!CHAT_ENDPOINT.equals(endpoint)) {
            throw OpenAiError.invalid(OTHER_ENDPOINTS.contains(endpoint)
                    ? "The Batchwise simulator only simulates " + CHAT_ENDPOINT + " batches, not " + endpoint + "."
                    : "Invalid value: '" + endpoint + "'. Supported values are: '/v1/responses', '"
                            + CHAT_ENDPOINT + "', '/v1/embeddings', '/v1/completions', '/v1/moderations',"
                            + " '/v1/images/generations', '/v1/images/edits' and '/v1/videos'.",
                    "endpoint", "invalid_value");
        }
        if (!"24h".equals(window)) {
            throw OpenAiError.invalid("Invalid value: '" + window + "'. Supported values are: '24h'.",
                    "completion_window", "invalid_value");
        }
        Map<String, String> metadata = metadata(body.get("metadata"));
        long outputTtl = outputExpiresAfter(body.get("output_expires_after"));
        OpenAiFileStore.StoredFile input = files.get(inputFileId);
        if (input == null) {
            // UNCONFIRMED: 400 naming the parameter (a 404 is also plausible)
            throw OpenAiError.invalid("Invalid 'input_file_id': no such file '" + inputFileId + "'.",
                    "input_file_id", null);
        }
        if (!"batch".equals(input.purpose())) {
            throw OpenAiError.invalid("The input file must have been uploaded with purpose 'batch', not '"
                    + input.purpose() + "'.", "input_file_id", null);
        }
        SimulatorSettings settings = knobs.get();
        OpenAiBatchInput.Parsed parsed = input.lines() > MAX_REQUESTS
                ? OpenAiBatchInput.tooManyTasks(input.lines(), MAX_REQUESTS)
                : OpenAiBatchInput.read(input.path(), endpoint, mapper, settings);
        List<OpenAiWire.BatchError> errors = parsed.errors();
        if (errors.isEmpty() && settings.failBatches()) {
            // the documented queue-limit failure (openai-python#2084), as the failBatches knob's stand-in
            errors = List.of(new OpenAiWire.BatchError("token_limit_exceeded", "Enqueued token limit reached for "
                    + parsed.model() + " in organization org-batchwise-sim. Limit: 2,000,000 enqueued tokens."
                    + " Please try again once some in_progress batches have been completed. (simulated)",
                    null, null));
        }
        OpenAiBatch.Item[] items = errors.isEmpty() ? withCache(parsed.items(), settings) : new OpenAiBatch.Item[0];
        OpenAiBatch batch = new OpenAiBatch(SimulatorIds.next("batch_"), inputFileId, endpoint, window,
                parsed.model(), metadata, System.currentTimeMillis(), settings, errors.isEmpty() ? null : errors,
                items, outputTtl);
        batches.put(batch.id, batch);
        byCreation.put(created.incrementAndGet(), batch);
        batchOfFile.put(batch.outputFileId, batch);
        batchOfFile.put(batch.errorFileId, batch);
        SimulatorStats.Counters counters = stats.of(Provider.OPENAI);
        counters.batchesCreated.incrementAndGet();
        // the requests submitted, as for Anthropic: a batch that fails validation was still sent them
        counters.batchRequests.addAndGet(parsed.lines());
        return batch;
    }

    /** Batch requests share the prompt cache with real time (UNCONFIRMED); read when the batch is accepted. */
    private OpenAiBatch.Item[] withCache(List<OpenAiBatch.Item> items, SimulatorSettings settings) {
        OpenAiBatch.Item[] result = new OpenAiBatch.Item[items.size()];
        for (int i = 0; i < result.length; i++) {
            OpenAiBatch.Item item = items.get(i);
            if (item.invalid() == null) {
                int cached = cache.use(item.model(), item.prefixHash(), item.prefixTokens(), CACHE_TTL,
                        settings.cacheMinTokens()).readTokens();
                item = item.withCachedTokens(cached);
            }
            result[i] = item;
        }
        return result;
    }

    private static String requiredText(JsonNode body, String name) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) {
            throw OpenAiError.invalid("Missing required parameter: '" + name + "'.", name,
                    "missing_required_parameter");
        }
        if (!value.isTextual()) {
            throw OpenAiError.invalid("Invalid type for '" + name + "': expected a string.", name, "invalid_type");
        }
        return value.asText();
    }

    private static Map<String, String> metadata(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject() || node.size() > 16) {
            throw OpenAiError.invalid("Invalid 'metadata': expected an object of at most 16 string pairs.",
                    "metadata", "invalid_type");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            JsonNode value = entry.getValue();
            if (entry.getKey().length() > 64 || !value.isTextual() || value.asText().length() > 512) {
                throw OpenAiError.invalid("Invalid 'metadata." + entry.getKey() + "': keys are strings of at most"
                        + " 64 characters, values strings of at most 512.", "metadata", "invalid_value");
            }
            metadata.put(entry.getKey(), value.asText());
        }
        return metadata;
    }

    private static long outputExpiresAfter(JsonNode node) {
        if (node == null || node.isNull()) {
            return OpenAiBatchFiles.DEFAULT_OUTPUT_TTL_SECONDS;
        }
        JsonNode seconds = node.get("seconds");
        if (!"created_at".equals(node.path("anchor").asText()) || seconds == null || !seconds.canConvertToLong()
                || seconds.asLong() < 3600 || seconds.asLong() > 2_592_000) {
            throw OpenAiError.invalid("Invalid 'output_expires_after': anchor must be 'created_at' and seconds"
                    + " between 3600 and 2592000.", "output_expires_after", "invalid_value");
        }
        return seconds.asLong();
    }

    OpenAiBatch get(String id) {
        OpenAiBatch batch = batches.get(id);
        if (batch == null) {
            throw OpenAiError.notFound("No batch found with id '" + id + "'.");
        }
        return batch;
    }

    /** Newest first, as the real list is. */
    List<OpenAiBatch> listNewestFirst() {
        return new ArrayList<>(byCreation.descendingMap().values());
    }

    OpenAiBatch cancel(String id) {
        OpenAiBatch batch = get(id);
        if (batch.cancel(System.currentTimeMillis(), knobs.get().cancelDrainMs())) {
            stats.of(Provider.OPENAI).cancels.incrementAndGet();
        }
        return batch;
    }

    /** The Batch object as the API returns it; every time in Unix seconds. */
    OpenAiWire.Batch toWire(OpenAiBatch batch) {
        OpenAiBatch.View view = batch.view(System.currentTimeMillis());
        OpenAiWire.BatchErrors errors = batch.errors == null ? null
                : new OpenAiWire.BatchErrors("list", batch.errors);
        return new OpenAiWire.Batch(batch.id, "batch", batch.endpoint, batch.model, errors, batch.inputFileId,
                batch.completionWindow, view.status().wire(), batch.visibleOutputFileId(view),
                batch.visibleErrorFileId(view), seconds(batch.createdAt), seconds(view.inProgressAt()),
                seconds(batch.expiresAt), seconds(view.finalizingAt()), seconds(view.completedAt()),
                seconds(view.failedAt()), seconds(view.expiredAt()), seconds(view.cancellingAt()),
                seconds(view.cancelledAt()), batch.counts(view), batch.usage(view), batch.metadata);
    }

    private static Long seconds(Long millis) {
        return millis == null ? null : millis / 1000;
    }

    // ---- generated files ----

    /** An ended batch's output or error file, or null when there is no such (visible) file. */
    GeneratedFile generatedFile(String fileId) {
        OpenAiBatch batch = batchOfFile.get(fileId);
        if (batch == null || deletedFiles.contains(fileId)) {
            return null;
        }
        OpenAiBatch.View view = batch.view(System.currentTimeMillis());
        boolean output = fileId.equals(batch.outputFileId);
        String visible = output ? batch.visibleOutputFileId(view) : batch.visibleErrorFileId(view);
        return fileId.equals(visible) ? new GeneratedFile(batch, view, output) : null;
    }

    /** An output ({@code output == true}) or error file of a batch at its final view. */
    final class GeneratedFile {
        private final OpenAiBatch batch;
        private final OpenAiBatch.View view;
        private final boolean output;

        private GeneratedFile(OpenAiBatch batch, OpenAiBatch.View view, boolean output) {
            this.batch = batch;
            this.view = view;
            this.output = output;
        }

        OpenAiWire.FileObject toWire() throws IOException {
            return batchFiles.fileObject(batch, view, output);
        }

        /**
         * Counts a download of this file and says where to cut it: after {@code resultsCutAfterLines} lines on
         * its first download, else 0 (whole).
         */
        int beginDownload() {
            stats.of(Provider.OPENAI).resultsDownloads.incrementAndGet();
            return batch.firstDownload(output) ? knobs.get().resultsCutAfterLines() : 0;
        }

        void write(OutputStream out, int cutAfterLines) throws IOException {
            batchFiles.write(batch, view, output, out, cutAfterLines);
        }

        void delete() {
            deletedFiles.add(output ? batch.outputFileId : batch.errorFileId);
        }
    }

    // ---- real time ----

    /** A {@code POST /v1/chat/completions} answer (admission and errors are the resource's job). */
    JsonNode chatCompletion(JsonNode body) {
        if (body != null && body.path("stream").asBoolean(false)) {
            throw OpenAiError.invalid("The Batchwise simulator does not stream; send stream: false.", "stream",
                    "unsupported_value");
        }
        OpenAiPrompt prompt = OpenAiPrompt.parse(body);
        if (prompt.invalid() != null) {
            throw OpenAiError.invalid(prompt.invalid());
        }
        SimulatorSettings settings = knobs.get();
        int cached = cache.use(prompt.model(), prompt.prefixHash(), prompt.prefixTokens(), CACHE_TTL,
                settings.cacheMinTokens()).readTokens();
        SimulatedModel.Answer answer = SimulatedModel.answer(prompt.hash(settings.seed()), prompt.kind(),
                prompt.maxTokens(), settings);
        OpenAiWire.ChatCompletion completion = OpenAiWire.ChatCompletion.of(SimulatorIds.next("chatcmpl-"),
                System.currentTimeMillis() / 1000, prompt.model(), answer, prompt.promptTokens(), cached);
        return mapper.valueToTree(completion);
    }
}
