package dev.batchwise.simulator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchwise.llm.Provider;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** The Anthropic Message Batches and Messages APIs, simulated (see {@code provider-apis} notes in the README). */
@ApplicationScoped
class AnthropicSimulator {

    static final Pattern CUSTOM_ID = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
    private static final int MAX_REQUESTS = Provider.ANTHROPIC.maxRequestsPerBatch();

    private final ObjectMapper mapper;
    /** One JSON value per results line, not flushed per value. */
    private final ObjectWriter lineWriter;
    private final SimulatorKnobs knobs;
    private final SimulatorStats stats;
    private final PromptCache cache = new PromptCache();
    private final Map<String, AnthropicBatch> batches = new ConcurrentHashMap<>();

    AnthropicSimulator(ObjectMapper mapper, SimulatorKnobs knobs, SimulatorStats stats) {
        this.mapper = mapper;
        this.lineWriter = mapper.writer().without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
        this.knobs = knobs;
        this.stats = stats;
    }

    /**
     * Reads {@code {"requests": [...]}} as a stream, one request at a time, so a 100,000-request body never
     * sits in memory as a tree. The envelope is checked now (custom_id, duplicates, count, size); params
     * are checked "asynchronously", as the real API does: a bad one becomes an errored result.
     */
    AnthropicBatch create(InputStream body, String version) throws IOException {
        SimulatorSettings settings = knobs.get();
        List<AnthropicBatch.Item> items = new ArrayList<>();
        Set<String> customIds = new HashSet<>();
        try (LimitedInputStream limited = new LimitedInputStream(body, settings.anthropicMaxBatchBytes());
             JsonParser parser = mapper.getFactory().createParser(limited)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw invalid("body: Input should be an object with 'requests'");
            }
            boolean sawRequests = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!"requests".equals(field)) {
                    parser.skipChildren();
                    continue;
                }
                sawRequests = true;
                if (value != JsonToken.START_ARRAY) {
                    throw invalid("requests: Input should be a valid list");
                }
                while (parser.nextToken() == JsonToken.START_OBJECT) {
                    JsonNode request = parser.readValueAsTree();
                    if (items.size() == MAX_REQUESTS) {
                        throw invalid("requests: List should have at most " + MAX_REQUESTS + " items");
                    }
                    items.add(item(request, items.size(), customIds, version, settings));
                }
            }
            if (!sawRequests || items.isEmpty()) {
                throw invalid("requests: List should have at least 1 item");
            }
        } catch (LimitedInputStream.TooLargeException e) {
            throw new SimulatorException(413, "request_too_large",
                    "Request exceeds the maximum allowed number of bytes (" + settings.anthropicMaxBatchBytes() + ")");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw invalid("body is not valid JSON: " + e.getOriginalMessage());
        }
        Instant now = Instant.now();
        AnthropicBatch batch = new AnthropicBatch(SimulatorIds.next("msgbatch_"), now,
                settings.batchDurationMs(items.size()), settings.expireAfterMs(), settings.neverFinish(),
                settings.failBatches(), items.toArray(AnthropicBatch.Item[]::new), settings);
        batches.put(batch.id, batch);
        stats.of(Provider.ANTHROPIC).batchesCreated.incrementAndGet();
        stats.of(Provider.ANTHROPIC).batchRequests.addAndGet(items.size());
        return batch;
    }

    private AnthropicBatch.Item item(JsonNode request, int index, Set<String> customIds, String version,
                                     SimulatorSettings settings) {
        JsonNode customIdNode = request.get("custom_id");
        String customId = customIdNode == null || !customIdNode.isTextual() ? null : customIdNode.asText();
        if (customId == null || !CUSTOM_ID.matcher(customId).matches()) {
            throw invalid("requests." + index + ".custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"
                    + (customId == null ? "" : " (got '" + customId + "')"));
        }
        if (!customIds.add(customId)) {
            throw invalid("requests." + index + ".custom_id: duplicate custom_id '" + customId
                    + "'; custom_id must be unique within a batch");
        }
        AnthropicPrompt prompt = AnthropicPrompt.parse(request.get("params"), version);
        if (prompt.invalid() != null) {
            return new AnthropicBatch.Item(customId, null, 0, SimulatedModel.Kind.PLAIN, 0, 0, 0, false, 0, prompt.invalid(), null);
        }
        Usage usage = usage(prompt, settings);
        long hash = SimulatedModel.promptHash(settings.seed(), prompt.model(), prompt.system(), prompt.conversation());
        String injected = SimulatedModel.unit(hash, 20) < settings.itemErrorRate()
                ? (SimulatedModel.unit(hash, 21) < 0.5 ? "api_error" : "overloaded_error") : null;
        return new AnthropicBatch.Item(customId, prompt.model(), hash,
                SimulatedModel.kind(prompt.system(), prompt.conversation()), usage.input,
                usage.cacheCreation, usage.cacheRead, usage.ttl1h, prompt.maxTokens(), null, injected);
    }

    private record Usage(int input, int cacheCreation, int cacheRead, boolean ttl1h) {
    }

    private Usage usage(AnthropicPrompt prompt, SimulatorSettings settings) {
        int total = prompt.promptTokens();
        PromptCache.Use use = PromptCache.Use.NONE;
        if (prompt.cachedPrefix() != null) {
            use = cache.use(prompt.model(), SimulatedModel.promptHash(0, prompt.model(), prompt.cachedPrefix(), ""),
                    SimulatedModel.tokens(prompt.cachedPrefix()), prompt.cacheTtl(), settings.cacheMinTokens());
        }
        // Anthropic: input_tokens excludes what was written to or read from the cache
        return new Usage(total - use.creationTokens() - use.readTokens(), use.creationTokens(), use.readTokens(),
                prompt.cacheTtl() != null && prompt.cacheTtl().toHours() >= 1);
    }

    AnthropicBatch get(String id) {
        AnthropicBatch batch = batches.get(id);
        if (batch == null) {
            throw new SimulatorException(404, "not_found_error", "No message batch found with id '" + id + "'");
        }
        return batch;
    }

    List<AnthropicBatch> listNewestFirst() {
        List<AnthropicBatch> all = new ArrayList<>(batches.values());
        all.sort(Comparator.comparing((AnthropicBatch b) -> b.createdAt).thenComparing(b -> b.id).reversed());
        return all;
    }

    AnthropicBatch cancel(String id) {
        AnthropicBatch batch = get(id);
        if (batch.cancel(Instant.now(), knobs.get().cancelDrainMs())) {
            stats.of(Provider.ANTHROPIC).cancels.incrementAndGet();
        }
        return batch;
    }

    void delete(String id) {
        AnthropicBatch batch = get(id);
        if (!batch.isEnded(Instant.now())) {
            // UNCONFIRMED in the public docs: most likely a 400 invalid_request_error, as here
            throw invalid("Message batch '" + id + "' is still processing; cancel it and wait until it has ended"
                    + " before deleting it");
        }
        batches.remove(id);
    }

    /** The MessageBatch object as the API returns it. */
    ObjectNode toJson(AnthropicBatch batch, String resultsBase) {
        Instant now = Instant.now();
        boolean ended = batch.isEnded(now);
        ObjectNode json = mapper.createObjectNode();
        json.put("id", batch.id);
        json.put("type", "message_batch");
        json.put("processing_status", batch.processingStatus(now));
        ObjectNode counts = json.putObject("request_counts");
        int[] finals = ended ? batch.finalCounts() : null;
        counts.put("processing", ended ? 0 : batch.items.length);
        counts.put("succeeded", ended ? finals[AnthropicBatch.Outcome.SUCCEEDED.ordinal()] : 0);
        counts.put("errored", ended ? finals[AnthropicBatch.Outcome.ERRORED.ordinal()] : 0);
        counts.put("canceled", ended ? finals[AnthropicBatch.Outcome.CANCELED.ordinal()] : 0);
        counts.put("expired", ended ? finals[AnthropicBatch.Outcome.EXPIRED.ordinal()] : 0);
        json.put("ended_at", ended ? SimulatorIds.rfc3339(batch.endedAt()) : null);
        json.put("created_at", SimulatorIds.rfc3339(batch.createdAt));
        json.put("expires_at", SimulatorIds.rfc3339(batch.expiresAt));
        json.put("archived_at", (String) null);
        json.put("cancel_initiated_at", SimulatorIds.rfc3339(batch.cancelInitiatedAt()));
        // absolute and pointing at the simulator, since some SDKs follow it
        json.put("results_url", ended ? resultsBase + batch.id + "/results" : null);
        return json;
    }

    /**
     * Streams the results as JSONL, one line per request, in an order that is not the submission order (the
     * real API guarantees none, so clients must match by custom_id). A share of lines is broken
     * ({@code malformedLineRate}, fixed at creation); with {@code cutAfterLines > 0} the stream stops after that
     * many lines with {@link ResultLines.Cut}.
     */
    void writeResults(AnthropicBatch batch, OutputStream out, int cutAfterLines) throws IOException {
        SimulatorSettings settings = knobs.get();
        int n = batch.items.length;
        int processed = batch.processedCount();
        int step = ResultOrder.step(n);
        try (ResultLines lines = new ResultLines(out, cutAfterLines, batch.settings.seed(),
                batch.settings.malformedLineRate())) {
            for (int j = 0; j < n; j++) {
                int index = ResultOrder.index(j, n, step);
                lines.line(lineWriter.writeValueAsBytes(resultLine(batch, index, processed, settings)),
                        batch.items[index].customId());
            }
        }
    }

    /**
     * Counts a results download and says where to cut it: after {@code resultsCutAfterLines} lines on the
     * batch's first download, else 0 (whole).
     */
    int beginDownload(AnthropicBatch batch) {
        stats.of(Provider.ANTHROPIC).resultsDownloads.incrementAndGet();
        return batch.firstDownload() ? knobs.get().resultsCutAfterLines() : 0;
    }

    private ObjectNode resultLine(AnthropicBatch batch, int index, int processed, SimulatorSettings settings) {
        AnthropicBatch.Item item = batch.items[index];
        ObjectNode line = mapper.createObjectNode();
        line.put("custom_id", item.customId());
        ObjectNode result = line.putObject("result");
        switch (batch.outcome(index, processed)) {
            case SUCCEEDED -> {
                result.put("type", "succeeded");
                result.set("message", message(item.model(), item.hash(), item.kind(), item.maxTokens(),
                        item.inputTokens(), item.cacheCreationTokens(), item.cacheReadTokens(), item.cacheTtl1h(),
                        "batch", settings));
            }
            case ERRORED -> {
                result.put("type", "errored");
                String type = item.invalid() != null ? "invalid_request_error"
                        : item.injectedError() != null ? item.injectedError() : "api_error";
                String message = item.invalid() != null ? item.invalid()
                        : batch.failed ? "The batch failed (simulated batch-level failure)" : "Simulated server error";
                result.set("error", errorBody(type, message));
            }
            case CANCELED -> result.put("type", "canceled");
            case EXPIRED -> result.put("type", "expired");
        }
        return line;
    }

    /** A Messages API {@code Message}. */
    ObjectNode message(String model, long hash, SimulatedModel.Kind kind, int maxTokens, int inputTokens, int cacheCreation,
                       int cacheRead, boolean ttl1h, String serviceTier, SimulatorSettings settings) {
        SimulatedModel.Answer answer = SimulatedModel.answer(hash, kind, maxTokens, settings);
        ObjectNode message = mapper.createObjectNode();
        message.put("id", "msg_" + Long.toHexString(hash) + Long.toHexString(System.nanoTime() & 0xffffff));
        message.put("type", "message");
        message.put("role", "assistant");
        message.put("model", model);
        ArrayNode content = message.putArray("content");
        content.addObject().put("type", "text").put("text", answer.text());
        message.put("stop_reason", answer.truncated() ? "max_tokens" : "end_turn");
        message.putNull("stop_sequence");
        ObjectNode usage = message.putObject("usage");
        usage.put("input_tokens", inputTokens);
        usage.put("output_tokens", answer.outputTokens());
        usage.put("cache_creation_input_tokens", cacheCreation);
        usage.put("cache_read_input_tokens", cacheRead);
        ObjectNode creation = usage.putObject("cache_creation");
        creation.put("ephemeral_5m_input_tokens", ttl1h ? 0 : cacheCreation);
        creation.put("ephemeral_1h_input_tokens", ttl1h ? cacheCreation : 0);
        usage.put("service_tier", serviceTier);
        return message;
    }

    /** A real-time {@code POST /v1/messages} answer (admission and errors are the resource's job). */
    ObjectNode realtime(JsonNode body, String version) {
        AnthropicPrompt prompt = AnthropicPrompt.parse(body, version);
        if (prompt.invalid() != null) {
            throw invalid(prompt.invalid());
        }
        SimulatorSettings settings = knobs.get();
        Usage usage = usage(prompt, settings);
        long hash = SimulatedModel.promptHash(settings.seed(), prompt.model(), prompt.system(), prompt.conversation());
        return message(prompt.model(), hash, SimulatedModel.kind(prompt.system(), prompt.conversation()),
                prompt.maxTokens(), usage.input, usage.cacheCreation, usage.cacheRead, usage.ttl1h, "standard", settings);
    }

    ObjectNode errorBody(String type, String message) {
        ObjectNode body = mapper.createObjectNode();
        body.put("type", "error");
        body.putObject("error").put("type", type).put("message", message);
        body.put("request_id", SimulatorIds.next("req_"));
        return body;
    }

    private static SimulatorException invalid(String message) {
        return new SimulatorException(400, "invalid_request_error", message);
    }
}
