package dev.batchwise.reconciliation;

import dev.batchwise.llm.Provider;
import dev.batchwise.reconciliation.ReconciliationRun.Mode;
import dev.batchwise.settings.EffectiveBatchSettings;
import dev.batchwise.settings.EffectiveBatchSettings.Setting;

/**
 * Batch or real time, and why in words a person can read: batch when the run has more atoms than the threshold,
 * the batch path is on and the provider's batch API is configured; real time otherwise. {@code options.mode}
 * overrides the threshold (not the master switch, nor a provider that cannot take batches). The reason names
 * where the switch or threshold it used came from ({@code llm_configurations} or the environment variable).
 */
record ModeChoice(Mode mode, Provider provider, String reason) {

    static ModeChoice of(int atoms, RunOptions options, Provider provider, EffectiveBatchSettings settings,
                         boolean batchAvailable) {
        return of(atoms, "atoms", options, provider, settings, batchAvailable);
    }

    /** As above for {@code atoms} requests of any kind, {@code what} naming them in the reason ("tests"). */
    static ModeChoice of(int atoms, String what, RunOptions options, Provider provider, EffectiveBatchSettings settings,
                         boolean batchAvailable) {
        if (options.mode() == RunOptions.Mode.REALTIME) {
            return new ModeChoice(Mode.REALTIME, provider, "forced by options.mode");
        }
        Setting<Boolean> enabled = settings.enabled();
        if (!enabled.value()) {
            String where = enabled.source() == EffectiveBatchSettings.Source.DATABASE
                    ? "batch.enabled=false in " + enabled.origin() : enabled.variable() + "=false";
            return new ModeChoice(Mode.REALTIME, provider, "batch disabled (" + where + ")"
                    + (options.mode() == RunOptions.Mode.BATCH ? "; options.mode=batch ignored" : ""));
        }
        if (!batchAvailable) {
            return new ModeChoice(Mode.REALTIME, provider, provider.wireName() + " batch API not configured");
        }
        if (options.mode() == RunOptions.Mode.BATCH) {
            return new ModeChoice(Mode.BATCH, provider, "forced by options.mode");
        }
        Setting<Integer> threshold = settings.threshold();
        String source = " (" + threshold.origin() + ")";
        return atoms > threshold.value()
                ? new ModeChoice(Mode.BATCH, provider, atoms + " " + what + " > threshold " + threshold.value() + source)
                : new ModeChoice(Mode.REALTIME, provider, atoms + " " + what + " <= threshold " + threshold.value() + source);
    }
}
