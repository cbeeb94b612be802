package dev.batchwise.llm.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.llm.BatchJobStatus;
import dev.batchwise.llm.BatchListing;
import dev.batchwise.llm.BatchMetadata;
import dev.batchwise.llm.BatchStatus;
import dev.batchwise.llm.BatchTotals;
import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.LlmErrorType;
import dev.batchwise.llm.LlmException;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.llm.LlmUsage;
import dev.batchwise.llm.JsonLines;
import dev.batchwise.llm.Provider;
import dev.batchwise.llm.ProviderAdapter;
import dev.batchwise.llm.ProviderBatch;
import dev.batchwise.llm.ProviderBatchInfo;
import dev.batchwise.llm.ProviderEndpoints;
import dev.batchwise.llm.RealtimeAnswer;
import io.quarkus.logging.Log;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/** Anthropic Message Batches (inline requests) and Messages, through {@link AnthropicApi}. */
@ApplicationScoped
public class AnthropicAdapter implements ProviderAdapter {

    static final String VERSION_WITHOUT_TEMPERATURE = "2026-10-21";
    /** Batches per list page: recovery looks at recent batches, so a page usually ends the listing. */
    static final int LIST_PAGE = 100;

    private final ProviderEndpoints endpoints;
    private final LlmConfig config;
    private final ObjectMapper mapper;
    private final Map<URI, AnthropicApi> clients = new ConcurrentHashMap<>();
    private final AtomicBoolean temperatureWarned = new AtomicBoolean();

    AnthropicAdapter(ProviderEndpoints endpoints, LlmConfig config, ObjectMapper mapper) {
        this.endpoints = endpoints;
        this.config = config;
        this.mapper = mapper;
    }

    @Override
    public Provider provider() {
        return Provider.ANTHROPIC;
    }

    @Override
    public boolean isConfigured() {
        return endpoints.of(Provider.ANTHROPIC).isPresent();
    }

    @Override
    public long estimatedBytes(LlmRequest request) {
        // JSON escaping and the envelope add little to prompts; count characters as UTF-8 worst case
        return 200L + 3L * (length(request.systemPrompt()) + length(request.userPrompt()) + request.customId().length());
    }

    /** Anthropic keeps no batch metadata: it is checked (as for OpenAI) and dropped. */
    @Override
    public Uni<ProviderBatch> submit(List<LlmRequest> requests, Map<String, String> metadata) {
        return Uni.createFrom().deferred(() -> {
            BatchMetadata.checked("anthropic", metadata);
            Endpoint e = endpoint();
            List<LlmRequest> copy = List.copyOf(requests);
            // a body of up to 256 MB is written on a worker thread and streamed from disk: serialising it on the
            // event loop would stall every other call of this instance (lease renewals included) for seconds
            return Uni.createFrom().item(() -> writeBody(copy))
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                    .flatMap(file -> typed(e.api.createBatch(e.key, version(), file.toFile()))
                            .onTermination().call(() -> delete(file)))
                    .map(batch -> new ProviderBatch(Provider.ANTHROPIC, batch.id(), copy.size(),
                            instant(batch.createdAt())));
        });
    }

    /** {@code {"requests": [...]}} written request by request to a temporary file (blocking: a worker thread). */
    private java.nio.file.Path writeBody(List<LlmRequest> requests) {
        java.nio.file.Path file = null;
        try {
            file = java.nio.file.Files.createTempFile("batchwise-anthropic-" + ProcessHandle.current().pid() + "-", ".json");
            try (com.fasterxml.jackson.core.JsonGenerator out = mapper.getFactory().createGenerator(
                    new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(file), 64 * 1024))) {
                out.writeStartObject();
                out.writeArrayFieldStart("requests");
                for (LlmRequest r : requests) {
                    mapper.writeValue(out, new AnthropicWire.BatchRequest(r.customId(), params(r)));
                }
                out.writeEndArray();
                out.writeEndObject();
            }
            return file;
        } catch (java.io.IOException ex) {
            deleteQuietly(file);
            throw new java.io.UncheckedIOException("anthropic: could not write the batch body", ex);
        }
    }

    private static Uni<Void> delete(java.nio.file.Path file) {
        return Uni.createFrom().<Void>item(() -> {
            deleteQuietly(file);
            return null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static void deleteQuietly(java.nio.file.Path file) {
        if (file != null) {
            try {
                java.nio.file.Files.deleteIfExists(file);
            } catch (java.io.IOException ex) {
                Log.warnf("anthropic: could not delete the batch body %s: %s", file, ex.getMessage());
            }
        }
    }

    @Override
    public Multi<ProviderBatchInfo> listSince(Instant since) {
        // created_at has microseconds: a batch created in since's microsecond counts
        Instant from = since.truncatedTo(ChronoUnit.MICROS);
        return BatchListing.since(from, ProviderBatchInfo::createdAt, afterId -> {
            Endpoint e = endpoint();
            return typed(e.api.listBatches(e.key, version(), LIST_PAGE, afterId)).map(page ->
                    new BatchListing.Page<>(page.data() == null ? List.of() : page.data().stream()
                            .map(b -> new ProviderBatchInfo(b.id(), toStatus(b), Map.of(), instant(b.createdAt())))
                            .toList(), page.hasMore(), page.lastId()));
        });
    }

    @Override
    public Uni<BatchJobStatus> status(String providerBatchId) {
        Endpoint e = endpoint();
        return typed(e.api.getBatch(e.key, version(), providerBatchId)).map(AnthropicAdapter::toStatus);
    }

    @Override
    public Uni<BatchJobStatus> cancel(String providerBatchId) {
        Endpoint e = endpoint();
        return typed(e.api.cancelBatch(e.key, version(), providerBatchId)).map(AnthropicAdapter::toStatus);
    }

    /**
     * The results JSONL line by line. A cut download fails (as {@link LlmException.Unreachable}) after the
     * complete lines: {@link JsonLines} never emits an unfinished last line of a failed body. One that sends
     * nothing for {@code llm.realtime.timeout-ms} fails as {@link LlmException.Timeout}.
     */
    @Override
    public Multi<LlmResult> results(String providerBatchId) {
        return Multi.createFrom().deferred(() -> {
            Endpoint e = endpoint();
            return JsonLines.lines(JsonLines.failIfStalled(e.api.results(e.key, version(), providerBatchId),
                            streamIdle(), "anthropic: the results of batch " + providerBatchId))
                    .onItem().transformToIterable(line -> toResult(providerBatchId, line))
                    .onFailure().transform(failure -> LlmException.typed("anthropic", failure));
        });
    }

    @Override
    public Uni<RealtimeAnswer> complete(LlmRequest request) {
        Endpoint e = endpoint();
        return e.api.createMessage(e.key, version(), params(request))
                .ifNoItem().after(Duration.ofMillis(config.realtime().timeoutMs()))
                .failWith(() -> new LlmException.Timeout("anthropic: no answer within "
                        + config.realtime().timeoutMs() + " ms"))
                .onFailure().transform(failure -> LlmException.typed("anthropic", failure))
                .map(response -> new RealtimeAnswer(
                        succeeded(request.customId(), response.getEntity()),
                        AnthropicErrors.rateLimit(response.toResponse())));
    }

    AnthropicWire.MessageRequest params(LlmRequest r) {
        List<AnthropicWire.SystemBlock> system = r.systemPrompt() == null || r.systemPrompt().isEmpty() ? null
                : List.of(new AnthropicWire.SystemBlock("text", r.systemPrompt(), r.cachesSystemPrompt()
                        // batches can outlive 5 minutes: the 1-hour TTL keeps the shared prefix warm
                        ? new AnthropicWire.CacheControl("ephemeral", "1h") : null));
        Double temperature = r.temperature();
        if (temperature != null && VERSION_WITHOUT_TEMPERATURE.equals(version())) {
            if (temperatureWarned.compareAndSet(false, true)) {
                Log.warnf("anthropic-version %s rejects temperature: dropping it from requests (set"
                        + " llm.anthropic.api-version=2023-06-01 to send it)", VERSION_WITHOUT_TEMPERATURE);
            }
            temperature = null;
        }
        return new AnthropicWire.MessageRequest(r.model() != null ? r.model() : config.anthropic().model(),
                r.maxTokensOrDefault(), system, List.of(new AnthropicWire.Msg("user", r.userPrompt())), temperature);
    }

    /** One result, or none for a line that is unreadable to the point of showing no custom id. */
    private List<LlmResult> toResult(String batchId, String line) {
        AnthropicWire.ResultLine parsed;
        try {
            parsed = mapper.readValue(line, AnthropicWire.ResultLine.class);
        } catch (JsonProcessingException e) {
            return JsonLines.malformed("anthropic", batchId, line, JsonLines.reason(e));
        }
        String id = parsed == null ? null : parsed.customId();
        AnthropicWire.Result result = parsed == null ? null : parsed.result();
        String type = result == null ? null : result.type();
        if (id == null || id.isEmpty() || type == null) {
            return JsonLines.malformed("anthropic", batchId, line, "no custom_id or result.type");
        }
        if ("succeeded".equals(type)) {
            return result.message() == null
                    ? JsonLines.malformed("anthropic", batchId, line, "a succeeded result without a message")
                    : List.of(succeeded(id, result.message()));
        }
        if ("errored".equals(type)) {
            AnthropicWire.ErrorObject error = result.error() == null ? null : result.error().error();
            return List.of(LlmResult.failed(id, AnthropicErrors.type(error == null ? null : error.type()),
                    error == null ? "errored without details" : error.type() + ": " + error.message()));
        }
        if ("canceled".equals(type)) {
            return List.of(LlmResult.failed(id, LlmErrorType.CANCELLED, "the batch was cancelled before this request ran"));
        }
        if ("expired".equals(type)) {
            return List.of(LlmResult.failed(id, LlmErrorType.EXPIRED, "the batch expired before this request ran"));
        }
        // a result type this version does not know: keep it as a failure rather than crash the stream
        return List.of(LlmResult.failed(id, LlmErrorType.UNKNOWN, "unknown result type '" + type + "'"));
    }

    private static LlmResult succeeded(String customId, AnthropicWire.Message message) {
        String text = message.content() == null ? "" : message.content().stream()
                .filter(b -> "text".equals(b.type()) && b.text() != null)
                .map(AnthropicWire.Block::text).collect(Collectors.joining());
        AnthropicWire.Usage u = message.usage();
        LlmUsage usage = u == null ? LlmUsage.ZERO : new LlmUsage(u.inputTokens(), u.outputTokens(),
                u.cacheCreationInputTokens() == null ? 0 : u.cacheCreationInputTokens(),
                u.cacheReadInputTokens() == null ? 0 : u.cacheReadInputTokens());
        return LlmResult.succeeded(customId, text, usage);
    }

    static BatchJobStatus toStatus(AnthropicWire.MessageBatch batch) {
        AnthropicWire.RequestCounts c = batch.requestCounts() != null ? batch.requestCounts()
                : new AnthropicWire.RequestCounts(0, 0, 0, 0, 0);
        int total = c.processing() + c.succeeded() + c.errored() + c.canceled() + c.expired();
        BatchStatus status = switch (String.valueOf(batch.processingStatus())) {
            case "in_progress" -> BatchStatus.PROCESSING;
            case "canceling" -> BatchStatus.CANCELLING;
            case "ended" -> batch.cancelInitiatedAt() != null ? BatchStatus.CANCELLED
                    : c.expired() > 0 ? BatchStatus.EXPIRED : BatchStatus.COMPLETED;
            default -> throw new LlmException.InvalidRequest(0, "anthropic sent an unknown processing_status '"
                    + batch.processingStatus() + "' for batch " + batch.id());
        };
        return new BatchJobStatus(batch.id(), Provider.ANTHROPIC, status,
                new BatchTotals(total, c.succeeded(), c.errored() + c.canceled() + c.expired(), c.processing()),
                instant(batch.createdAt()), instant(batch.endedAt()));
    }

    /** A connection that failed or closed before an answer becomes {@link LlmException.Unreachable}. */
    private static <T> Uni<T> typed(Uni<T> call) {
        return call.onFailure().transform(failure -> LlmException.typed("anthropic", failure));
    }

    /** The longest wait for the next chunk of a results download: as long as any one call may take. */
    private Duration streamIdle() {
        return Duration.ofMillis(config.realtime().timeoutMs());
    }

    private String version() {
        return config.anthropic().apiVersion();
    }

    private record Endpoint(AnthropicApi api, String key) {
        @Override
        public String toString() {
            return "Endpoint[anthropic]"; // never the key
        }
    }

    private Endpoint endpoint() {
        ProviderEndpoints.Endpoint endpoint = endpoints.of(Provider.ANTHROPIC).orElseThrow(() ->
                new LlmException.Authentication(0, "anthropic is not configured: set ANTHROPIC_API_KEY"
                        + " (or enable the simulator)"));
        AnthropicApi api = clients.computeIfAbsent(endpoint.baseUrl(), uri -> QuarkusRestClientBuilder.newBuilder()
                .baseUri(uri)
                .connectTimeout(10, TimeUnit.SECONDS)
                .readTimeout(config.realtime().timeoutMs(), TimeUnit.MILLISECONDS)
                .build(AnthropicApi.class));
        return new Endpoint(api, endpoint.apiKey());
    }

    private static Instant instant(String value) {
        return value == null ? null : Instant.parse(value);
    }

    private static int length(String value) {
        return value == null ? 0 : value.length();
    }
}
