package dev.batchwise.llm;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.util.Optional;

/**
 * Providers and their credentials. Keys come from {@code ANTHROPIC_API_KEY} / {@code OPENAI_API_KEY}
 * (environment or a Kubernetes secret, never a properties file); base URLs from
 * {@code ANTHROPIC_BASE_URL} (no {@code /v1}) and {@code OPENAI_BASE_URL} (with {@code /v1}), as the
 * official SDKs name them. A provider without a key is not configured; the profiles that use the built-in
 * simulator set a placeholder key and a base URL that is a path ({@code /sim/anthropic}: this instance).
 */
@ConfigMapping(prefix = "llm")
public interface LlmConfig {

    /** The provider used for batch and real-time calls: {@code anthropic} or {@code openai}. */
    @WithDefault("anthropic")
    Provider provider();

    /**
     * Bytes per provider batch at most, when lower than the provider's own limit (Anthropic 256 MB, OpenAI 200 MB,
     * less a tenth for the estimate); empty: the provider's.
     */
    Optional<@Min(1024) Long> batchMaxBytes();

    /**
     * Bytes one request may have at most; 32 MB by default, the limit of Anthropic's Messages API (a request above
     * it could not be retried in real time either). A larger request fails alone, with its reason.
     */
    @WithDefault("32000000")
    @Min(1024)
    long requestMaxBytes();

    Anthropic anthropic();

    OpenAi openai();

    Realtime realtime();

    /** The real-time path: bounded concurrency, retries, circuit breaker, pacing. */
    interface Realtime {
        /** Concurrent real-time calls per {@code completeAll}. */
        @WithDefault("10")
        @Min(1)
        @Max(1000)
        int concurrency();

        /** Attempts per request, the first included; only 429, 5xx, 529 and timeouts are retried. */
        @WithDefault("4")
        @Min(1)
        @Max(20)
        int maxAttempts();

        /** First back-off when the provider gave no retry-after, in milliseconds; doubles, with jitter. */
        @WithDefault("500")
        @Min(1)
        long initialBackoffMs();

        /** Longest back-off or retry-after wait honoured, in milliseconds. */
        @WithDefault("30000")
        @Min(1)
        long maxBackoffMs();

        /** Time limit of one call, in milliseconds. */
        @WithDefault("120000")
        @Min(1)
        long timeoutMs();

        /**
         * Our own requests-per-second budget per provider (0 = none); the real-time path also paces itself from
         * the providers' rate-limit headers.
         */
        @WithDefault("0")
        @DecimalMin("0")
        double requestsPerSecond();
    }

    interface Anthropic {
        /** API key; required for the chosen provider. Never logged. */
        Optional<String> apiKey();

        /** Base URL without {@code /v1}; empty means the real API; a path ({@code /sim/anthropic}) means this instance. */
        Optional<String> baseUrl();

        /** Model used when a request names none. */
        @WithDefault("claude-haiku-5-5")
        String model();

        /**
         * The anthropic-version header. 2023-06-01 accepts {@code temperature}; under 2026-10-21 a request's
         * temperature is dropped with a warning, since that version rejects it.
         */
        @WithDefault("2023-06-01")
        @Pattern(regexp = "2023-06-01|2026-10-21", message = "must be 2023-06-01 or 2026-10-21")
        String apiVersion();
    }

    interface OpenAi {
        /** API key; required for the chosen provider. Never logged. */
        Optional<String> apiKey();

        /** Base URL including {@code /v1}; empty means the real API; a path ({@code /sim/openai/v1}) means this instance. */
        Optional<String> baseUrl();

        /** Model used when a request names none. */
        @WithDefault("gpt-4o-mini")
        String model();
    }
}
