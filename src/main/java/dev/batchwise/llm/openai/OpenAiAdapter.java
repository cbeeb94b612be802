package dev.batchwise.llm.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.batchwise.llm.BatchJobStatus;
import dev.batchwise.llm.BatchListing;
import dev.batchwise.llm.BatchMetadata;
import dev.batchwise.llm.BatchStatus;
import dev.batchwise.llm.BatchTotals;
import dev.batchwise.llm.JsonLines;
import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.LlmErrorType;
import dev.batchwise.llm.LlmException;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.llm.LlmUsage;
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
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.resteasy.reactive.client.api.ClientMultipartForm;

/**
 * OpenAI's Batch API (a JSONL input file uploaded through Files, then a batch over it) and Chat Completions,
 * through {@link OpenAiApi}. Results are the batch's output file followed by its error file, streamed.
 */
@ApplicationScoped
public class OpenAiAdapter implements ProviderAdapter {

    static final String CHAT_ENDPOINT = "/v1/chat/completions";
    /** Input files are written here first; the pid tells concurrent instances' files apart. */
    static final String TEMP_PREFIX = "batchwise-openai-" + ProcessHandle.current().pid() + "-";
    /** Batches per list page (OpenAI allows 1 to 100): recovery looks at recent batches only. */
    static final int LIST_PAGE = 100;
    /** Batch create attempts while a just-uploaded file is not visible yet (Corrections 7), and the first wait. */
    static final int CREATE_ATTEMPTS = 4;
    static final Duration CREATE_RETRY_DELAY = Duration.ofMillis(250);

    private final ProviderEndpoints endpoints;
    private final LlmConfig config;
    private final ObjectMapper mapper;
    private final ObjectWriter lineWriter;
    private final Map<URI, OpenAiApi> clients = new ConcurrentHashMap<>();

    OpenAiAdapter(ProviderEndpoints endpoints, LlmConfig config, ObjectMapper mapper) {
        this.endpoints = endpoints;
        this.config = config;
        this.mapper = mapper;
        this.lineWriter = mapper.writerFor(OpenAiWire.InputLine.class);
    }

    @Override
    public Provider provider() {
        return Provider.OPENAI;
    }

    @Override
    public boolean isConfigured() {
        return endpoints.of(Provider.OPENAI).isPresent();
    }

    @Override
    public long estimatedBytes(LlmRequest request) {
        // one JSONL line: the envelope and the body's keys are ~200 bytes; count characters as UTF-8 worst case
        String model = model(request);
        return 200L + model.length()
                + 3L * (length(request.systemPrompt()) + length(request.userPrompt()) + request.customId().length());
    }

    // ---- batches ----

    /**
     * Writes the input file, uploads it and creates the batch over it, with {@code metadata}. A create answered
     * "Cannot find file" for the file just uploaded is tried again a few times, briefly: the file is not yet
     * visible to the batch service. No other failure of the create is retried here: after a 5xx or no answer
     * the batch may exist (see {@link #listSince}).
     */
    @Override
    public Uni<ProviderBatch> submit(List<LlmRequest> requests, Map<String, String> metadata) {
        if (requests.isEmpty()) {
            return Uni.createFrom().failure(new LlmException.InvalidRequest(0,
                    "openai: a batch needs at least one request"));
        }
        if (requests.size() > Provider.OPENAI.maxRequestsPerBatch()) {
            return Uni.createFrom().failure(new LlmException.RequestTooLarge(0, "openai: " + requests.size()
                    + " requests do not fit one batch (at most " + Provider.OPENAI.maxRequestsPerBatch() + ")"));
        }
        Map<String, String> checked;
        try {
            checked = BatchMetadata.checked("openai", metadata);
        } catch (LlmException ex) {
            return Uni.createFrom().failure(ex);
        }
        Endpoint e = endpoint();
        List<LlmRequest> copy = List.copyOf(requests);
        return Uni.createFrom().item(() -> writeInputFile(copy))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(file -> typed(e.api.uploadFile(e.authorization(), ClientMultipartForm.create()
                                .attribute("purpose", "batch", null)
                                .binaryFileUpload("file", "batchwise-input.jsonl", file.toString(), "application/jsonl")))
                        // the upload is done (or failed): the local copy is no longer needed either way
                        .onTermination().call(() -> delete(file)))
                .flatMap(uploaded -> createBatch(e, new OpenAiWire.BatchCreate(uploaded.id(), CHAT_ENDPOINT, "24h",
                        checked.isEmpty() ? null : checked), 1))
                .map(batch -> new ProviderBatch(Provider.OPENAI, batch.id(), copy.size(), instant(batch.createdAt())));
    }

    /** The create, again after 250, 500, 1000 ms while the uploaded file is not visible yet; then as it failed. */
    private Uni<OpenAiWire.Batch> createBatch(Endpoint e, OpenAiWire.BatchCreate body, int attempt) {
        return typed(e.api.createBatch(e.authorization(), body))
                .onFailure(OpenAiErrors.FileNotVisibleYet.class).recoverWithUni(failure -> {
                    if (attempt >= CREATE_ATTEMPTS) {
                        return Uni.createFrom().failure(failure);
                    }
                    Duration wait = CREATE_RETRY_DELAY.multipliedBy(1L << (attempt - 1));
                    Log.infof("openai: file %s not visible to batches yet (attempt %d of %d): again in %d ms",
                            body.inputFileId(), attempt, CREATE_ATTEMPTS, wait.toMillis());
                    return Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                            .flatMap(ignored -> createBatch(e, body, attempt + 1));
                });
    }

    /** created_at is whole seconds: since is too, so a batch created in since's second counts. */
    @Override
    public Multi<ProviderBatchInfo> listSince(Instant since) {
        Instant from = since.truncatedTo(ChronoUnit.SECONDS);
        return BatchListing.since(from, ProviderBatchInfo::createdAt, after -> {
            Endpoint e = endpoint();
            return typed(e.api.listBatches(e.authorization(), LIST_PAGE, after)).map(page ->
                    new BatchListing.Page<>(page.data() == null ? List.of() : page.data().stream()
                            .map(b -> new ProviderBatchInfo(b.id(), toStatus(b), b.metadata(), instant(b.createdAt())))
                            .toList(), page.hasMore(), page.lastId()));
        });
    }

    @Override
    public Uni<BatchJobStatus> status(String providerBatchId) {
        Endpoint e = endpoint();
        return typed(e.api.getBatch(e.authorization(), providerBatchId)).map(batch -> {
            BatchJobStatus status = toStatus(batch);
            if (status.status() == BatchStatus.FAILED) {
                Log.warnf("openai batch %s failed: %s", batch.id(), firstError(batch));
            }
            return status;
        });
    }

    @Override
    public Uni<BatchJobStatus> cancel(String providerBatchId) {
        Endpoint e = endpoint();
        return typed(e.api.cancelBatch(e.authorization(), providerBatchId)).map(OpenAiAdapter::toStatus);
    }

    /**
     * The output file's lines, then the error file's; either may be missing (a batch whose every request failed
     * has only an error file), and an id that is null, empty or absent means no file. A batch that failed as a
     * whole has neither: that is an {@link LlmException.InvalidRequest} naming its first error. Before the batch
     * has ended there is nothing to read yet, which is an error too. A cut download fails the stream as
     * {@link LlmException.Unreachable} after the complete lines ({@link JsonLines} drops an unfinished one);
     * one that sends nothing for {@code llm.realtime.timeout-ms}, as {@link LlmException.Timeout}.
     */
    @Override
    public Multi<LlmResult> results(String providerBatchId) {
        return Multi.createFrom().deferred(() -> {
            Endpoint e = endpoint();
            return e.api.getBatch(e.authorization(), providerBatchId).onItem().transformToMulti(batch -> {
                BatchStatus status = toStatus(batch).status();
                if (status == BatchStatus.FAILED) {
                    return Multi.createFrom().<LlmResult>failure(new LlmException.InvalidRequest(0, "openai batch "
                            + batch.id() + " failed: " + firstError(batch)));
                }
                if (!status.isFinal()) {
                    return Multi.createFrom().<LlmResult>failure(new LlmException.InvalidRequest(0, "openai batch "
                            + batch.id() + " has not ended (status " + batch.status() + "): no results yet"));
                }
                List<Multi<LlmResult>> files = new ArrayList<>(2);
                for (String fileId : new String[] {batch.outputFileId(), batch.errorFileId()}) {
                    if (fileId != null && !fileId.isBlank()) {
                        // deferred: the error file is requested only once the output file has been read
                        files.add(Multi.createFrom().deferred(() -> JsonLines.lines(JsonLines.failIfStalled(
                                        e.api.fileContent(e.authorization(), fileId),
                                        Duration.ofMillis(config.realtime().timeoutMs()), "openai: file " + fileId
                                                + " of batch " + providerBatchId))
                                .onItem().transformToIterable(line -> toResult(providerBatchId, line))));
                    }
                }
                return files.isEmpty() ? Multi.createFrom().<LlmResult>empty()
                        : Multi.createBy().concatenating().streams(files);
            }).onFailure().transform(failure -> LlmException.typed("openai", failure));
        });
    }

    // ---- real time ----

    @Override
    public Uni<RealtimeAnswer> complete(LlmRequest request) {
        Endpoint e = endpoint();
        long timeoutMs = config.realtime().timeoutMs();
        return e.api.createChatCompletion(e.authorization(), body(request))
                .ifNoItem().after(Duration.ofMillis(timeoutMs))
                .failWith(() -> new LlmException.Timeout("openai: no answer within " + timeoutMs + " ms"))
                .onFailure().transform(failure -> LlmException.typed("openai", failure))
                .map(response -> new RealtimeAnswer(
                        completed(request.customId(), response.getEntity()),
                        OpenAiErrors.rateLimit(response::getHeaderString)));
    }

    // ---- mapping ----

    OpenAiWire.ChatRequest body(LlmRequest r) {
        List<OpenAiWire.Msg> messages = r.systemPrompt() == null || r.systemPrompt().isEmpty()
                ? List.of(new OpenAiWire.Msg("user", r.userPrompt()))
                : List.of(new OpenAiWire.Msg("system", r.systemPrompt()), new OpenAiWire.Msg("user", r.userPrompt()));
        // OpenAI caches long prompt prefixes by itself: cacheSystemPrompt needs nothing on the wire
        return new OpenAiWire.ChatRequest(model(r), messages, r.maxTokensOrDefault(), r.temperature());
    }

    /** Writes the input JSONL line by line to a temporary file (blocking: runs on a worker thread). */
    private Path writeInputFile(List<LlmRequest> requests) {
        Path file = null;
        try {
            file = Files.createTempFile(TEMP_PREFIX, ".jsonl");
            long bytes = 0;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024)) {
                for (LlmRequest r : requests) {
                    byte[] line = lineWriter.writeValueAsBytes(
                            new OpenAiWire.InputLine(r.customId(), "POST", CHAT_ENDPOINT, body(r)));
                    bytes += line.length + 1;
                    if (bytes > Provider.OPENAI.maxBatchBytes()) {
                        throw new LlmException.RequestTooLarge(0, "openai: the batch input file would exceed "
                                + Provider.OPENAI.maxBatchBytes() + " bytes at request " + r.customId());
                    }
                    out.write(line);
                    out.write('\n');
                }
            }
            return file;
        } catch (LlmException ex) {
            deleteQuietly(file);
            throw ex;
        } catch (IOException ex) {
            deleteQuietly(file);
            throw new UncheckedIOException("openai: could not write the batch input file", ex);
        }
    }

    private static Uni<Void> delete(Path file) {
        return Uni.createFrom().<Void>item(() -> {
            deleteQuietly(file);
            return null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ex) {
            Log.warnf("openai: could not delete the batch input file %s: %s", file, ex.getMessage());
        }
    }

    /** One result, or none for a line that is unreadable to the point of showing no custom id. */
    private List<LlmResult> toResult(String batchId, String line) {
        OpenAiWire.OutputLine parsed;
        try {
            parsed = mapper.readValue(line, OpenAiWire.OutputLine.class);
        } catch (JsonProcessingException ex) {
            return JsonLines.malformed("openai", batchId, line, JsonLines.reason(ex));
        }
        String id = parsed == null ? null : parsed.customId();
        if (id == null || id.isEmpty()) {
            return JsonLines.malformed("openai", batchId, line, "no custom_id");
        }
        OpenAiWire.LineResponse response = parsed.response();
        if (parsed.error() != null) {
            OpenAiWire.LineError error = parsed.error();
            return List.of(LlmResult.failed(id, OpenAiErrors.typeOfLineError(error.code()),
                    error.code() + ": " + OpenAiErrors.redact(error.message())));
        }
        if (response == null || response.statusCode() == null) {
            return JsonLines.malformed("openai", batchId, line, "neither a response with a status_code nor an error");
        }
        if (response.statusCode() != 200) {
            return List.of(LlmResult.failed(id, OpenAiErrors.typeOfStatus(response.statusCode()),
                    "status " + response.statusCode() + ": " + OpenAiErrors.describe(response.body())));
        }
        OpenAiWire.ChatCompletion completion;
        try {
            completion = mapper.treeToValue(response.body(), OpenAiWire.ChatCompletion.class);
        } catch (JsonProcessingException | IllegalArgumentException ex) {
            return JsonLines.malformed("openai", batchId, line, "a status 200 whose body is not a chat completion");
        }
        return List.of(completed(id, completion));
    }

    /** A chat completion as a result: the first choice's content, or a failure when there is none. */
    private static LlmResult completed(String customId, OpenAiWire.ChatCompletion completion) {
        OpenAiWire.ChatMessage message = completion == null || completion.choices() == null
                || completion.choices().isEmpty() || completion.choices().get(0) == null ? null
                : completion.choices().get(0).message();
        if (message == null) {
            return LlmResult.failed(customId, LlmErrorType.UNKNOWN, "openai answered without a choice");
        }
        if (message.content() == null && message.refusal() != null) {
            return LlmResult.failed(customId, LlmErrorType.INVALID_REQUEST, "the model refused: " + message.refusal());
        }
        return LlmResult.succeeded(customId, message.content() == null ? "" : message.content(),
                usage(completion.usage()));
    }

    /** prompt_tokens includes cached_tokens; ours (Anthropic's way) does not. */
    static LlmUsage usage(OpenAiWire.Usage u) {
        if (u == null) {
            return LlmUsage.ZERO;
        }
        long prompt = u.promptTokens() == null ? 0 : u.promptTokens();
        long cached = u.promptTokensDetails() == null || u.promptTokensDetails().cachedTokens() == null ? 0
                : u.promptTokensDetails().cachedTokens();
        long output = u.completionTokens() == null ? 0 : u.completionTokens();
        return new LlmUsage(Math.max(0, prompt - cached), output, 0, cached);
    }

    static BatchJobStatus toStatus(OpenAiWire.Batch batch) {
        BatchStatus status = switch (String.valueOf(batch.status())) {
            case "validating" -> BatchStatus.SUBMITTED;
            case "in_progress", "finalizing" -> BatchStatus.PROCESSING;
            case "completed" -> BatchStatus.COMPLETED;
            case "failed" -> BatchStatus.FAILED;
            case "expired" -> BatchStatus.EXPIRED;
            case "cancelling" -> BatchStatus.CANCELLING;
            case "cancelled" -> BatchStatus.CANCELLED;
            default -> throw new LlmException.InvalidRequest(0, "openai sent an unknown batch status '"
                    + batch.status() + "' for batch " + batch.id());
        };
        BatchTotals totals = totals(batch.requestCounts(), status.isFinal());
        Long endedAt = firstNonNull(batch.completedAt(), batch.failedAt(), batch.expiredAt(), batch.cancelledAt());
        return new BatchJobStatus(batch.id(), Provider.OPENAI, status, totals, instant(batch.createdAt()),
                status.isFinal() ? instant(endedAt) : null);
    }

    /**
     * OpenAI counts only requests that ran ({@code completed}, {@code failed}); on an expired or cancelled batch
     * the ones that never ran are in neither (Corrections 1). While it runs they are processing; once it is
     * final they are failed, as {@link BatchTotals} has it.
     */
    static BatchTotals totals(OpenAiWire.RequestCounts c, boolean isFinal) {
        if (c == null) {
            return new BatchTotals(0, 0, 0, 0);
        }
        int submitted = Math.max(c.total(), c.completed() + c.failed());
        int rest = submitted - c.completed() - c.failed();
        return isFinal ? new BatchTotals(submitted, c.completed(), c.failed() + rest, 0)
                : new BatchTotals(submitted, c.completed(), c.failed(), rest);
    }

    /** "code: message (line n)" of a failed batch's first error. */
    static String firstError(OpenAiWire.Batch batch) {
        if (batch.errors() == null || batch.errors().data() == null || batch.errors().data().isEmpty()) {
            return "no error given";
        }
        OpenAiWire.BatchError error = batch.errors().data().get(0);
        int more = batch.errors().data().size() - 1;
        return error.code() + ": " + OpenAiErrors.redact(error.message())
                + (error.line() == null ? "" : " (line " + error.line() + ")")
                + (more > 0 ? " and " + more + " more" : "");
    }

    /** A connection that failed or closed before an answer becomes {@link LlmException.Unreachable}. */
    private static <T> Uni<T> typed(Uni<T> call) {
        return call.onFailure().transform(failure -> LlmException.typed("openai", failure));
    }

    private String model(LlmRequest r) {
        return r.model() != null ? r.model() : config.openai().model();
    }

    /** A base URL's client and the key; {@link #toString()} never shows the key. */
    private record Endpoint(OpenAiApi api, String key) {
        String authorization() {
            return "Bearer " + key;
        }

        @Override
        public String toString() {
            return "Endpoint[openai]";
        }
    }

    private Endpoint endpoint() {
        ProviderEndpoints.Endpoint endpoint = endpoints.of(Provider.OPENAI).orElseThrow(() ->
                new LlmException.Authentication(0, "openai is not configured: set OPENAI_API_KEY"
                        + " (or enable the simulator)"));
        OpenAiApi api = clients.computeIfAbsent(endpoint.baseUrl(), uri -> QuarkusRestClientBuilder.newBuilder()
                .baseUri(uri)
                .connectTimeout(10, TimeUnit.SECONDS)
                .readTimeout(config.realtime().timeoutMs(), TimeUnit.MILLISECONDS)
                .build(OpenAiApi.class));
        return new Endpoint(api, endpoint.apiKey());
    }

    private static Long firstNonNull(Long... values) {
        for (Long value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static Instant instant(Long epochSeconds) {
        return epochSeconds == null ? null : Instant.ofEpochSecond(epochSeconds);
    }

    private static int length(String value) {
        return value == null ? 0 : value.length();
    }
}
