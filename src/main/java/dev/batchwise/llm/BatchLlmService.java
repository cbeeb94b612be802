package dev.batchwise.llm;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Provider-agnostic batch calls: submit (split into provider batches by count and bytes), status, results as a
 * stream, cancel, and submit-and-wait with a timeout that cancels at the provider and returns what finished.
 */
@ApplicationScoped
public class BatchLlmService {

    /** Chunks stay this far under a provider's byte limit, since sizes are estimated. */
    private static final double BYTE_HEADROOM = 0.9;

    private final LlmConfig llm;
    private final Map<Provider, ProviderAdapter> adapters = new EnumMap<>(Provider.class);

    BatchLlmService(LlmConfig llm, @Any Instance<ProviderAdapter> adapters) {
        this.llm = llm;
        adapters.forEach(adapter -> this.adapters.put(adapter.provider(), adapter));
    }

    /** True when batches can go to this provider: it has an adapter and is configured (a key is set). */
    public boolean isAvailable(Provider provider) {
        ProviderAdapter adapter = adapters.get(provider);
        return adapter != null && adapter.isConfigured();
    }

    /**
     * The provider batches these requests would be split into: at most {@code maxPerBatch} requests (never above
     * the provider's limit) and under the provider's byte limit each. The ids must already be provider-safe.
     */
    public List<List<LlmRequest>> chunks(List<LlmRequest> requests, Provider provider, int maxPerBatch) {
        return chunk(requests, adapter(provider), Math.max(1, Math.min(maxPerBatch, provider.maxRequestsPerBatch())),
                maxBatchBytes(provider));
    }

    /**
     * Requests per batch for requests none of which is larger than {@code widest}: the count {@link #chunks} would cut
     * them by, when that many of the widest fit under the byte limit (then the count alone decides, and the requests
     * need not be built to be chunked); empty when the byte limit could bind.
     */
    public OptionalInt perBatchByCount(Provider provider, LlmRequest widest, int maxPerBatch) {
        int perBatch = Math.max(1, Math.min(maxPerBatch, provider.maxRequestsPerBatch()));
        return adapter(provider).estimatedBytes(widest) * perBatch <= maxBatchBytes(provider)
                ? OptionalInt.of(perBatch) : OptionalInt.empty();
    }

    /** The bytes {@code request} adds to a batch of {@code provider}, as chunking counts them. */
    public long requestBytes(Provider provider, LlmRequest request) {
        return adapter(provider).estimatedBytes(request);
    }

    /**
     * Why {@code request} cannot be sent to {@code provider} at all, in words; empty when it can. A request above
     * {@code llm.request-max-bytes} (or one that alone would not fit in a batch) fails by itself, before it could
     * fail the batch it would have been part of.
     */
    public Optional<String> tooLarge(Provider provider, LlmRequest request) {
        long bytes = requestBytes(provider, request);
        long limit = Math.min(llm.requestMaxBytes(), maxBatchBytes(provider));
        return bytes <= limit ? Optional.empty() : Optional.of("the request is " + bytes + " bytes, above the "
                + limit + "-byte limit of one " + provider.wireName() + " request (llm.request-max-bytes, and the"
                + " batch byte limit)");
    }

    /** Bytes per batch: the provider's limit, with headroom for the estimate, or the configured lower one. */
    private long maxBatchBytes(Provider provider) {
        long own = (long) (provider.maxBatchBytes() * BYTE_HEADROOM);
        return llm.batchMaxBytes().map(configured -> Math.min(configured, own)).orElse(own);
    }

    /**
     * One provider batch of exactly these requests, whose custom ids must already be provider-safe and unique;
     * {@code metadata} is kept by providers that keep it (OpenAI), so the batch can be found again by it.
     */
    public Uni<ProviderBatch> submitOne(Provider provider, List<LlmRequest> requests, Map<String, String> metadata) {
        return Uni.createFrom().deferred(() -> {
            if (requests.isEmpty()) {
                throw new IllegalArgumentException("a batch needs at least one request");
            }
            return adapter(provider).submit(requests, metadata);
        });
    }

    /** The provider's batches created at or after {@code since}, newest first (to find one again after a crash). */
    public Multi<ProviderBatchInfo> listSince(Provider provider, Instant since) {
        return Multi.createFrom().deferred(() -> adapter(provider).listSince(since));
    }

    /** One provider batch's status. */
    public Uni<BatchJobStatus> status(Provider provider, String providerBatchId) {
        return Uni.createFrom().deferred(() -> adapter(provider).status(providerBatchId));
    }

    /** One provider batch's results under the custom ids the provider got, streamed. */
    public Multi<LlmResult> results(Provider provider, String providerBatchId) {
        return Multi.createFrom().deferred(() -> adapter(provider).results(providerBatchId));
    }

    /** Asks the provider to cancel one batch; it drains before it ends (poll until the status is final). */
    public Uni<BatchJobStatus> cancel(Provider provider, String providerBatchId) {
        return Uni.createFrom().deferred(() -> adapter(provider).cancel(providerBatchId));
    }

    public Uni<BatchSubmission> submitBatch(List<LlmRequest> requests, BatchOptions options) {
        return Uni.createFrom().deferred(() -> {
            if (requests.isEmpty()) {
                throw new IllegalArgumentException("a batch needs at least one request");
            }
            Provider provider = options.provider() != null ? options.provider() : llm.provider();
            ProviderAdapter adapter = adapter(provider);
            Map<String, String> providerToCaller = CustomIds.assign(requests.stream().map(LlmRequest::customId).toList());
            Map<String, String> callerToProvider = new LinkedHashMap<>();
            providerToCaller.forEach((safe, caller) -> callerToProvider.put(caller, safe));
            List<LlmRequest> renamed = requests.stream()
                    .map(r -> r.withCustomId(callerToProvider.get(r.customId()))).toList();
            List<List<LlmRequest>> chunks = chunk(renamed, adapter, maxPerBatch(provider, options), maxBatchBytes(provider));
            List<ProviderBatch> submitted = new ArrayList<>();
            return Multi.createFrom().iterable(chunks)
                    .onItem().transformToUniAndConcatenate(chunk -> adapter.submit(chunk).invoke(submitted::add))
                    .collect().asList()
                    .onFailure().call(failure -> cancelAll(adapter, submitted, failure))
                    .map(batches -> {
                        List<String> ids = batches.stream().map(ProviderBatch::providerBatchId).toList();
                        Log.infof("provider=%s batches=%s submitted (%d requests in %d chunks)", provider.wireName(),
                                ids, requests.size(), ids.size());
                        return new BatchSubmission(BatchSubmission.idOf(provider, ids), provider, ids,
                                providerToCaller, requests.size(), batches.get(0).submittedAt());
                    });
        });
    }

    /** The combined status of a submission's provider batches. */
    public Uni<BatchJobStatus> getBatchStatus(BatchSubmission submission) {
        return getBatchStatus(submission.id());
    }

    /** The combined status for a submission id ({@code <provider>:<batch id>,...}) or a single provider batch. */
    public Uni<BatchJobStatus> getBatchStatus(String id) {
        return Uni.createFrom().deferred(() -> {
            ParsedId parsed = ParsedId.parse(id, llm.provider());
            ProviderAdapter adapter = adapter(parsed.provider);
            List<Uni<BatchJobStatus>> statuses = parsed.batchIds.stream().map(adapter::status).toList();
            return Uni.join().all(statuses).andFailFast().map(all -> combine(id, parsed.provider, all));
        });
    }

    /** Results of every provider batch of the submission, streamed, under the caller's custom ids. */
    public Multi<LlmResult> getBatchResults(BatchSubmission submission) {
        ProviderAdapter adapter = adapter(submission.provider());
        return Multi.createFrom().iterable(submission.providerBatchIds())
                .onItem().transformToMultiAndConcatenate(adapter::results)
                .map(result -> {
                    String caller = submission.providerToCaller().get(result.customId());
                    if (caller == null) {
                        Log.warnf("provider=%s sent a result for unknown custom_id %s; kept as is",
                                submission.provider().wireName(), result.customId());
                        return result;
                    }
                    return result.withCustomId(caller);
                });
    }

    /** Results of one provider batch or submission id, under the custom ids the provider got. */
    public Multi<LlmResult> getBatchResults(String id) {
        ParsedId parsed = ParsedId.parse(id, llm.provider());
        return Multi.createFrom().iterable(parsed.batchIds)
                .onItem().transformToMultiAndConcatenate(adapter(parsed.provider)::results);
    }

    public Uni<BatchJobStatus> cancelBatch(BatchSubmission submission) {
        return cancelBatch(submission.id());
    }

    public Uni<BatchJobStatus> cancelBatch(String id) {
        return Uni.createFrom().deferred(() -> {
            ParsedId parsed = ParsedId.parse(id, llm.provider());
            ProviderAdapter adapter = adapter(parsed.provider);
            List<Uni<BatchJobStatus>> cancels = parsed.batchIds.stream().map(adapter::cancel).toList();
            return Uni.join().all(cancels).andFailFast().map(all -> combine(id, parsed.provider, all));
        });
    }

    /**
     * Submits, polls until every provider batch has ended, and returns one result per request. When the
     * timeout passes first, the batches are cancelled at the provider; what finished is returned as is and
     * every other request as a failed result (CANCELLED, EXPIRED or TIMEOUT), so nothing is silently missing.
     */
    public Uni<List<LlmResult>> submitAndWait(List<LlmRequest> requests, WaitOptions options) {
        Duration poll = options.pollInterval();
        Duration timeout = options.timeout();
        return submitBatch(requests, BatchOptions.DEFAULTS).flatMap(submission -> {
            Instant deadline = Instant.now().plus(timeout);
            return awaitFinal(submission, poll, deadline).flatMap(status -> {
                if (status.status().isFinal()) {
                    return collect(submission, LlmErrorType.EXPIRED);
                }
                Log.warnf("submission=%s not finished after %s: cancelling at the provider", submission.id(), timeout);
                // the provider drains in-flight work before a cancel ends; give it a bounded while
                Instant cancelDeadline = Instant.now().plus(poll.multipliedBy(10).plusSeconds(30));
                return cancelBatch(submission)
                        .flatMap(ignored -> awaitFinal(submission, poll, cancelDeadline))
                        .flatMap(ended -> ended.status().isFinal() ? collect(submission, LlmErrorType.TIMEOUT)
                                : Uni.createFrom().item(missing(submission, Map.of(), LlmErrorType.TIMEOUT)));
            });
        });
    }

    private Uni<BatchJobStatus> awaitFinal(BatchSubmission submission, Duration poll, Instant deadline) {
        return getBatchStatus(submission).flatMap(status -> {
            if (status.status().isFinal() || !Instant.now().plus(poll).isBefore(deadline)) {
                return Uni.createFrom().item(status);
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(poll)
                    .flatMap(ignored -> awaitFinal(submission, poll, deadline));
        });
    }

    /** Every result the provider has, plus a failed result for each request it had none for. */
    private Uni<List<LlmResult>> collect(BatchSubmission submission, LlmErrorType missingAs) {
        Map<String, LlmResult> byCaller = new LinkedHashMap<>();
        return getBatchResults(submission)
                .onItem().invoke(result -> byCaller.put(result.customId(), result))
                .onFailure().invoke(failure -> Log.warnf("submission=%s results could not be read completely: %s",
                        submission.id(), failure.getMessage()))
                .onFailure().recoverWithCompletion()
                .collect().last()
                .map(ignored -> missing(submission, byCaller, missingAs));
    }

    private static List<LlmResult> missing(BatchSubmission submission, Map<String, LlmResult> byCaller,
                                           LlmErrorType missingAs) {
        List<LlmResult> all = new ArrayList<>(submission.requestCount());
        for (String caller : submission.providerToCaller().values()) {
            LlmResult result = byCaller.get(caller);
            all.add(result != null ? result : LlmResult.failed(caller, missingAs,
                    "no result from the provider for this request (" + missingAs.name().toLowerCase() + ")"));
        }
        return all;
    }

    private Uni<Void> cancelAll(ProviderAdapter adapter, List<ProviderBatch> submitted, Throwable failure) {
        if (submitted.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Log.warnf("provider=%s submit failed after %d chunks (%s): cancelling those", adapter.provider().wireName(),
                submitted.size(), failure.getMessage());
        return Multi.createFrom().iterable(submitted)
                .onItem().transformToUniAndConcatenate(b -> adapter.cancel(b.providerBatchId())
                        .onFailure().recoverWithNull())
                .collect().last().replaceWithVoid();
    }

    private int maxPerBatch(Provider provider, BatchOptions options) {
        int wanted = options.maxRequestsPerBatch() != null ? options.maxRequestsPerBatch() : provider.maxRequestsPerBatch();
        return Math.max(1, Math.min(wanted, provider.maxRequestsPerBatch()));
    }

    static List<List<LlmRequest>> chunk(List<LlmRequest> requests, ProviderAdapter adapter, int maxPerBatch,
                                        long maxBytes) {
        List<List<LlmRequest>> chunks = new ArrayList<>();
        List<LlmRequest> current = new ArrayList<>();
        long bytes = 0;
        for (LlmRequest request : requests) {
            long size = adapter.estimatedBytes(request);
            if (!current.isEmpty() && (current.size() == maxPerBatch || bytes + size > maxBytes)) {
                chunks.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(request);
            bytes += size;
        }
        chunks.add(current);
        return chunks;
    }

    static BatchJobStatus combine(String id, Provider provider, List<BatchJobStatus> all) {
        BatchTotals totals = all.stream().map(BatchJobStatus::totals).reduce(new BatchTotals(0, 0, 0, 0), BatchTotals::plus);
        Instant submittedAt = all.stream().map(BatchJobStatus::submittedAt).filter(Objects::nonNull)
                .min(Comparator.naturalOrder()).orElse(null);
        boolean allFinal = all.stream().allMatch(s -> s.status().isFinal());
        BatchStatus status;
        if (!allFinal) {
            status = has(all, BatchStatus.CANCELLING) ? BatchStatus.CANCELLING
                    : all.stream().allMatch(s -> s.status() == BatchStatus.SUBMITTED) ? BatchStatus.SUBMITTED
                    : BatchStatus.PROCESSING;
        } else {
            status = all.stream().allMatch(s -> s.status() == BatchStatus.COMPLETED) ? BatchStatus.COMPLETED
                    : has(all, BatchStatus.CANCELLED) ? BatchStatus.CANCELLED
                    : has(all, BatchStatus.EXPIRED) ? BatchStatus.EXPIRED
                    : BatchStatus.FAILED;
        }
        Instant completedAt = allFinal ? all.stream().map(BatchJobStatus::completedAt).filter(Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(null) : null;
        return new BatchJobStatus(all.size() == 1 ? all.get(0).providerBatchId() : id, provider, status, totals,
                submittedAt, completedAt);
    }

    private static boolean has(List<BatchJobStatus> all, BatchStatus status) {
        return all.stream().anyMatch(s -> s.status() == status);
    }

    private ProviderAdapter adapter(Provider provider) {
        ProviderAdapter adapter = adapters.get(provider);
        if (adapter == null) {
            throw new IllegalStateException("no adapter for provider " + provider.wireName());
        }
        return adapter;
    }

    /** {@code anthropic:msgbatch_a,msgbatch_b}, or a bare provider batch id of the default provider. */
    private record ParsedId(Provider provider, List<String> batchIds) {
        static ParsedId parse(String id, Provider fallback) {
            int colon = id.indexOf(':');
            if (colon < 0) {
                return new ParsedId(fallback, List.of(id));
            }
            String name = id.substring(0, colon);
            Provider provider = Arrays.stream(Provider.values()).filter(p -> p.wireName().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown provider '" + name + "' in id " + id));
            return new ParsedId(provider, List.of(id.substring(colon + 1).split(",")));
        }
    }
}
