package dev.batchwise.reconciliation;

import dev.batchwise.llm.Provider;
import dev.batchwise.reconciliation.ReconciliationRun.Mode;

/**
 * Batch or real time, and why in words a person can read: batch when the run has more atoms than the threshold,
 * the batch path is on and the provider's batch API is configured; real time otherwise. {@code options.mode}
 * overrides the threshold (not the master switch, nor a provider that cannot take batches).
 */
record ModeChoice(Mode mode, Provider provider, String reason) {

    static ModeChoice of(int atoms, RunOptions options, Provider provider, boolean batchEnabled, int threshold,
                         boolean batchAvailable) {
        if (options.mode() == RunOptions.Mode.REALTIME) {
            return new ModeChoice(Mode.REALTIME, provider, "forced by options.mode");
        }
        if (!batchEnabled) {
            return new ModeChoice(Mode.REALTIME, provider, "batch disabled (BATCH_API_ENABLED=false)"
                    + (options.mode() == RunOptions.Mode.BATCH ? "; options.mode=batch ignored" : ""));
        }
        if (!batchAvailable) {
            return new ModeChoice(Mode.REALTIME, provider, provider.wireName() + " batch API not configured");
        }
        if (options.mode() == RunOptions.Mode.BATCH) {
            return new ModeChoice(Mode.BATCH, provider, "forced by options.mode");
        }
        return atoms > threshold
                ? new ModeChoice(Mode.BATCH, provider, atoms + " atoms > threshold " + threshold)
                : new ModeChoice(Mode.REALTIME, provider, atoms + " atoms <= threshold " + threshold);
    }
}
