package dev.batchwise.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.batchwise.llm.Provider;
import dev.batchwise.reconciliation.ReconciliationRun.Mode;
import dev.batchwise.settings.EffectiveBatchSettings;
import dev.batchwise.settings.EffectiveBatchSettings.Setting;
import dev.batchwise.settings.EffectiveBatchSettings.Source;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The mode and its reason, which names where the switch or threshold it used came from. */
class ModeChoiceTest {

    private static final RunOptions AUTO = RunOptions.DEFAULTS;
    private static final RunOptions FORCED_BATCH = new RunOptions(RunOptions.Mode.BATCH, Optional.empty());

    @Test
    void theThresholdDecidesAndTheReasonNamesItsSource() {
        assertChoice(Mode.REALTIME, "20 atoms <= threshold 20 (BATCH_THRESHOLD)", 20, AUTO, settings(true, null, 20, null));
        assertChoice(Mode.BATCH, "21 atoms > threshold 20 (BATCH_THRESHOLD)", 21, AUTO, settings(true, null, 20, null));
        assertChoice(Mode.REALTIME, "21 atoms <= threshold 30 (llm_configurations)", 21, AUTO,
                settings(true, null, 20, 30));
        assertChoice(Mode.BATCH, "31 atoms > threshold 30 (llm_configurations)", 31, AUTO, settings(true, null, 20, 30));
    }

    @Test
    void theSwitchComesFirstAndIsNamedWhereItWasSet() {
        assertChoice(Mode.REALTIME, "batch disabled (BATCH_API_ENABLED=false)", 50, AUTO, settings(false, null, 20, null));
        assertChoice(Mode.REALTIME, "batch disabled (batch.enabled=false in llm_configurations)", 50, AUTO,
                settings(true, false, 20, null));
        assertChoice(Mode.REALTIME, "batch disabled (batch.enabled=false in llm_configurations); options.mode=batch"
                + " ignored", 50, FORCED_BATCH, settings(true, false, 20, null));
        // the row switches batch back on over an environment that switched it off
        assertChoice(Mode.BATCH, "forced by options.mode", 2, FORCED_BATCH, settings(false, true, 20, null));
    }

    private static void assertChoice(Mode mode, String reason, int atoms, RunOptions options,
                                     EffectiveBatchSettings settings) {
        ModeChoice choice = ModeChoice.of(atoms, options, Provider.ANTHROPIC, settings, true);
        assertEquals(mode, choice.mode(), choice.reason());
        assertEquals(reason, choice.reason());
    }

    /** The environment's switch and threshold, and the row's (null: not set). */
    private static EffectiveBatchSettings settings(boolean envEnabled, Boolean rowEnabled, int envThreshold,
                                                   Integer rowThreshold) {
        return new EffectiveBatchSettings(setting(envEnabled, rowEnabled, "BATCH_API_ENABLED"),
                setting(envThreshold, rowThreshold, "BATCH_THRESHOLD"),
                setting(30_000L, null, "BATCH_POLL_INTERVAL_MS"), setting(3_600_000L, null, "BATCH_TIMEOUT_MS"),
                setting(5000, null, "BATCH_MAX_REQUESTS_PER_BATCH"));
    }

    private static <T> Setting<T> setting(T environment, T row, String variable) {
        return row == null ? new Setting<>(environment, Source.ENVIRONMENT, environment, variable)
                : new Setting<>(row, Source.DATABASE, environment, variable);
    }
}
