package dev.batchwise.simulator;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One simulated Message Batch. Its state is derived from the clock when asked (no background threads):
 * requests are processed in submission order at the configured pace; the batch ends when all are done,
 * when a cancel has drained ({@code cancelDrainMs} after it, requests running on meanwhile), or when it
 * expires. Only then do the counts leave {@code processing}, as the real API's do.
 */
final class AnthropicBatch {

    /** What a request of the batch needs to be answered later; the prompt itself is not kept. */
    record Item(String customId, String model, long hash, SimulatedModel.Kind kind, int inputTokens, int cacheCreationTokens,
                int cacheReadTokens, boolean cacheTtl1h, int maxTokens, String invalid, String injectedError) {
    }

    enum Outcome { SUCCEEDED, ERRORED, CANCELED, EXPIRED }

    final String id;
    final Instant createdAt;
    final Instant expiresAt;
    final long durationMs;
    final boolean neverFinish;
    final boolean failed;
    final Item[] items;
    /** The knobs at creation: which results lines are broken must not change between downloads. */
    final SimulatorSettings settings;
    private volatile Instant cancelAt;
    private volatile long cancelDrainMs;
    private volatile int[] counts;
    private final AtomicBoolean downloaded = new AtomicBoolean();

    AnthropicBatch(String id, Instant createdAt, long durationMs, long expireAfterMs, boolean neverFinish,
                   boolean failed, Item[] items, SimulatorSettings settings) {
        this.id = id;
        this.createdAt = createdAt;
        this.expiresAt = createdAt.plusMillis(expireAfterMs);
        this.durationMs = durationMs;
        this.neverFinish = neverFinish;
        this.failed = failed;
        this.items = items;
        this.settings = settings;
    }

    /**
     * Requests a cancel that drains for {@code drainMs}; false if the batch had already ended or was already
     * being cancelled.
     */
    synchronized boolean cancel(Instant now, long drainMs) {
        if (cancelAt != null || isEnded(now)) {
            return false;
        }
        cancelDrainMs = drainMs;
        cancelAt = now;
        return true;
    }

    /** True only the first time: that download of the results may be cut. */
    boolean firstDownload() {
        return !downloaded.getAndSet(true);
    }

    Instant cancelInitiatedAt() {
        return cancelAt;
    }

    Instant endedAt() {
        Instant end = neverFinish ? null : createdAt.plusMillis(durationMs);
        if (cancelAt != null) {
            // the batch ends when the drain is over, or sooner if every request is done by then
            Instant drained = cancelAt.plusMillis(cancelDrainMs);
            end = end == null || drained.isBefore(end) ? drained : end;
        }
        return end == null || expiresAt.isBefore(end) ? expiresAt : end;
    }

    boolean isEnded(Instant now) {
        return !now.isBefore(endedAt());
    }

    /** {@code in_progress}, {@code canceling} or {@code ended}. */
    String processingStatus(Instant now) {
        if (isEnded(now)) {
            return "ended";
        }
        return cancelAt != null ? "canceling" : "in_progress";
    }

    /**
     * How many requests, in submission order, were processed before the batch stopped. A cancel does not stop
     * them at once: those done by the end of the drain count as processed (and succeed), as the real API
     * "may complete any in-progress, non-interruptible requests".
     */
    private int processed() {
        Instant end = endedAt();
        int n = items.length;
        int reachable = neverFinish ? n / 2 : n; // a batch that never finishes stalls half-way
        if (durationMs <= 0) {
            return reachable;
        }
        double share = (double) (end.toEpochMilli() - createdAt.toEpochMilli()) / durationMs;
        return (int) Math.min(reachable, Math.max(0, Math.floor(share * n)));
    }

    Outcome outcome(int index, int processed) {
        Item item = items[index];
        if (index >= processed) {
            return cancelAt != null && cancelAt.isBefore(expiresAt) ? Outcome.CANCELED : Outcome.EXPIRED;
        }
        return failed || item.invalid() != null || item.injectedError() != null ? Outcome.ERRORED : Outcome.SUCCEEDED;
    }

    /** Counts per {@link Outcome} once ended (computed once); while running, everything is processing. */
    int[] finalCounts() {
        int[] known = counts;
        if (known == null) {
            int processed = processed();
            known = new int[Outcome.values().length];
            for (int i = 0; i < items.length; i++) {
                known[outcome(i, processed).ordinal()]++;
            }
            counts = known;
        }
        return known;
    }

    int processedCount() {
        return processed();
    }
}
