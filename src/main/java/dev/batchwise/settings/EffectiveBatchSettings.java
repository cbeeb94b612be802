package dev.batchwise.settings;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The batch settings that apply now, each with where it came from: the row {@code default} of {@code
 * llm_configurations}, or the environment (its variable, a property, or the built-in default) when the row has no
 * value for it. {@code GET /api/config} shows this record as it is.
 */
public record EffectiveBatchSettings(Setting<Boolean> enabled, Setting<Integer> threshold,
                                     Setting<Long> pollIntervalMs, Setting<Long> timeoutMs,
                                     Setting<Integer> maxRequestsPerBatch) {

    /** Where a value came from. */
    public enum Source {
        DATABASE, ENVIRONMENT;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One setting: the value that applies, its source, the environment's value (what applies without the row's),
     * and the environment variable that sets it.
     */
    public record Setting<T>(T value, Source source, T environmentValue, String variable) {

        static <T> Setting<T> of(T override, T environment, String variable) {
            return override != null ? new Setting<>(override, Source.DATABASE, environment, variable)
                    : new Setting<>(environment, Source.ENVIRONMENT, environment, variable);
        }

        /** Where the value came from as a run's mode reason names it: the table, or the environment variable. */
        public String origin() {
            return source == Source.DATABASE ? RuntimeSettings.TABLE : variable;
        }
    }

    static EffectiveBatchSettings of(BatchOverrides overrides, BatchEnvironment environment) {
        return new EffectiveBatchSettings(
                Setting.of(overrides.enabled(), environment.apiEnabled(), "BATCH_API_ENABLED"),
                Setting.of(overrides.threshold(), environment.threshold(), "BATCH_THRESHOLD"),
                Setting.of(overrides.pollIntervalMs(), environment.pollIntervalMs(), "BATCH_POLL_INTERVAL_MS"),
                Setting.of(overrides.timeoutMs(), environment.timeoutMs(), "BATCH_TIMEOUT_MS"),
                Setting.of(overrides.maxRequestsPerBatch(), environment.maxRequestsPerBatch(),
                        "BATCH_MAX_REQUESTS_PER_BATCH"));
    }
}
