package dev.batchwise.simulator;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One simulated OpenAI batch. Like {@link AnthropicBatch}, its state is derived from the clock when asked (no
 * background threads): the first tenth of its duration is {@code validating}, the last tenth
 * {@code finalizing}, and in between requests are processed in file order at an even pace. A batch that never
 * finishes stalls half-way and expires; a cancelled one is {@code cancelling} for {@code cancelDrainMs} (the
 * real API: up to about 10 minutes), requests running on meanwhile, then {@code cancelled}.
 * All times are epoch milliseconds.
 */
final class OpenAiBatch {

    /** What a request needs to be answered later; the prompt text itself is not kept. */
    record Item(String customId, String model, long hash, SimulatedModel.Kind kind, int promptTokens, int cachedTokens,
                int maxTokens, int outputTokens, long prefixHash, int prefixTokens, OpenAiWire.ErrorObject invalid,
                boolean injectedError) {

        boolean succeeds() {
            return invalid == null && !injectedError;
        }

        Item withCachedTokens(int cached) {
            return new Item(customId, model, hash, kind, promptTokens, cached, maxTokens, outputTokens,
                    prefixHash, prefixTokens, invalid, injectedError);
        }
    }

    enum Status {
        VALIDATING, FAILED, IN_PROGRESS, FINALIZING, COMPLETED, EXPIRED, CANCELLING, CANCELLED;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The batch will not change any more and its files (if any) exist. */
        boolean hasFiles() {
            return this == COMPLETED || this == EXPIRED || this == CANCELLED;
        }
    }

    /** The batch at one instant: status, the transition times reached so far, and requests processed. */
    record View(Status status, Long inProgressAt, Long finalizingAt, Long completedAt, Long failedAt,
                Long expiredAt, Long cancellingAt, Long cancelledAt, int processed) {

        /** When the batch reached its current (final) status. */
        long endedAt() {
            for (Long at : new Long[] {completedAt, expiredAt, cancelledAt, failedAt}) {
                if (at != null) {
                    return at;
                }
            }
            throw new IllegalStateException("the batch has not ended");
        }
    }

    final String id;
    final String inputFileId;
    final String endpoint;
    final String completionWindow;
    final String model;
    final Map<String, String> metadata;
    final long createdAt;
    final long expiresAt;
    final long durationMs;
    final boolean neverFinish;
    /** Validation errors; null when the file was valid. */
    final List<OpenAiWire.BatchError> errors;
    final Item[] items;
    /** The knobs at creation: answers are generated later, and must not change when the knobs do. */
    final SimulatorSettings settings;
    final long outputExpiresAfterSeconds;
    /** Reserved at creation; shown only once the batch has ended with lines of that kind. */
    final String outputFileId = SimulatorIds.next("file-");
    final String errorFileId = SimulatorIds.next("file-");
    private volatile Long cancelAt;
    private volatile long cancelDrainMs;
    private final AtomicBoolean outputDownloaded = new AtomicBoolean();
    private final AtomicBoolean errorDownloaded = new AtomicBoolean();
    private volatile long outputBytes = -1;
    private volatile long errorBytes = -1;

    OpenAiBatch(String id, String inputFileId, String endpoint, String completionWindow, String model,
                Map<String, String> metadata, long createdAt, SimulatorSettings settings,
                List<OpenAiWire.BatchError> errors, Item[] items, long outputExpiresAfterSeconds) {
        this.id = id;
        this.inputFileId = inputFileId;
        this.endpoint = endpoint;
        this.completionWindow = completionWindow;
        this.model = model;
        this.metadata = metadata;
        this.createdAt = createdAt;
        this.expiresAt = createdAt + settings.expireAfterMs();
        this.durationMs = settings.batchDurationMs(items.length);
        this.neverFinish = settings.neverFinish();
        this.settings = settings;
        this.errors = errors;
        this.items = items;
        this.outputExpiresAfterSeconds = outputExpiresAfterSeconds;
    }

    private long validatedAt() {
        return createdAt + durationMs / 10;
    }

    /** When processing ends and finalizing begins (never, for a batch that never finishes). */
    private long processedAt() {
        return neverFinish ? Long.MAX_VALUE : createdAt + durationMs - durationMs / 10;
    }

    private long doneAt() {
        return neverFinish ? Long.MAX_VALUE : createdAt + durationMs;
    }

    /** The completion window runs out before all requests are processed. */
    private boolean expires() {
        return expiresAt < processedAt();
    }

    View view(long now) {
        Long cancel = cancelAt;
        if (cancel != null) {
            // the drain: requests in progress at the cancel run on until it is over (or all are done); a batch
            // cancelled while validating has none in progress, and runs nothing
            long cancelledAt = Math.min(cancel + cancelDrainMs, Math.max(cancel, processedAt()));
            boolean running = errors == null && validatedAt() <= cancel;
            Long inProgressAt = running ? validatedAt() : null;
            boolean drained = now >= cancelledAt;
            int processed = running ? processedBy(Math.min(Math.min(now, cancelledAt), expiresAt)) : 0;
            return new View(drained ? Status.CANCELLED : Status.CANCELLING, inProgressAt, null, null, null, null,
                    cancel, drained ? cancelledAt : null, processed);
        }
        if (errors != null) {
            return now < validatedAt() ? new View(Status.VALIDATING, null, null, null, null, null, null, null, 0)
                    : new View(Status.FAILED, null, null, null, validatedAt(), null, null, null, 0);
        }
        if (expires() && now >= expiresAt) {
            Long inProgressAt = validatedAt() < expiresAt ? validatedAt() : null;
            return new View(Status.EXPIRED, inProgressAt, null, null, null, expiresAt, null, null,
                    processedBy(expiresAt));
        }
        if (now < validatedAt()) {
            return new View(Status.VALIDATING, null, null, null, null, null, null, null, 0);
        }
        if (now < processedAt()) {
            return new View(Status.IN_PROGRESS, validatedAt(), null, null, null, null, null, null, processedBy(now));
        }
        if (now < doneAt()) {
            return new View(Status.FINALIZING, validatedAt(), processedAt(), null, null, null, null, null,
                    items.length);
        }
        return new View(Status.COMPLETED, validatedAt(), processedAt(), doneAt(), null, null, null, null,
                items.length);
    }

    /** How many requests, in file order, were processed by {@code time}. */
    private int processedBy(long time) {
        if (errors != null || time < validatedAt()) {
            return 0;
        }
        int n = items.length;
        int reachable = neverFinish ? n / 2 : n; // a batch that never finishes stalls half-way
        long window = durationMs - 2 * (durationMs / 10);
        if (window <= 0) {
            return reachable;
        }
        double share = (double) (time - validatedAt()) / window;
        return (int) Math.min(reachable, Math.floor(share * n));
    }

    /**
     * Starts a cancel; false when one is already under way. Only a batch that is still validating or in
     * progress can be cancelled.
     */
    synchronized boolean cancel(long now, long drainMs) {
        Status status = view(now).status();
        if (status == Status.CANCELLING) {
            return false;
        }
        if (status != Status.VALIDATING && status != Status.IN_PROGRESS) {
            // UNCONFIRMED: the real wording and code for cancelling a batch that is past cancelling
            throw OpenAiError.invalid("Cannot cancel a batch with status '" + status.wire() + "'.", null, null);
        }
        cancelDrainMs = drainMs;
        cancelAt = now;
        return true;
    }

    /** True only the first time for the output ({@code output == true}) or error file: that download may be cut. */
    boolean firstDownload(boolean output) {
        return !(output ? outputDownloaded : errorDownloaded).getAndSet(true);
    }

    int successes(int processed) {
        int successes = 0;
        for (int i = 0; i < processed; i++) {
            if (items[i].succeeds()) {
                successes++;
            }
        }
        return successes;
    }

    /**
     * While validating (or after failing validation) nothing is counted, as the real API does. After that
     * {@code completed} counts the requests that ran and succeeded, {@code failed} those that ran and failed;
     * requests an expired or cancelled batch never ran are in neither, so {@code completed + failed} may be
     * less than {@code total} (provider-apis.md, Corrections 1: expired {total 10, completed 1, failed 0}).
     */
    OpenAiWire.RequestCounts counts(View view) {
        if (view.status() == Status.VALIDATING || view.status() == Status.FAILED) {
            return new OpenAiWire.RequestCounts(0, 0, 0);
        }
        int completed = successes(view.processed());
        return new OpenAiWire.RequestCounts(items.length, completed, view.processed() - completed);
    }

    /** Billed work: the requests that succeeded so far. */
    OpenAiWire.BatchUsage usage(View view) {
        long input = 0;
        long cached = 0;
        long output = 0;
        for (int i = 0; i < view.processed(); i++) {
            Item item = items[i];
            if (item.succeeds()) {
                input += item.promptTokens();
                cached += item.cachedTokens();
                output += item.outputTokens();
            }
        }
        return new OpenAiWire.BatchUsage(input, new OpenAiWire.InputTokensDetails(cached), output,
                new OpenAiWire.OutputTokensDetails(0), input + output);
    }

    /** When request {@code index} was processed: its share of the in-progress window. */
    long processedTime(int index) {
        long window = Math.max(0, durationMs - 2 * (durationMs / 10));
        return validatedAt() + window * (index + 1L) / Math.max(1, items.length);
    }

    /** The output file id, once the batch has ended with at least one succeeded request. */
    String visibleOutputFileId(View view) {
        return view.status().hasFiles() && successes(view.processed()) > 0 ? outputFileId : null;
    }

    /**
     * The error file id, once the batch has ended with at least one failed request or one it never ran (those
     * have {@code batch_expired} / {@code batch_cancelled} lines there); null when there are none.
     */
    String visibleErrorFileId(View view) {
        return view.status().hasFiles() && successes(view.processed()) < items.length ? errorFileId : null;
    }

    long cachedBytes(boolean output) {
        return output ? outputBytes : errorBytes;
    }

    void cacheBytes(boolean output, long bytes) {
        if (output) {
            outputBytes = bytes;
        } else {
            errorBytes = bytes;
        }
    }
}
