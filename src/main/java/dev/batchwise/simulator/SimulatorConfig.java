package dev.batchwise.simulator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import java.util.Optional;

/**
 * The built-in provider simulator: on in dev, test, demo and the standalone {@code simulator} profile,
 * off in prod. These are the start values of the knobs; {@code PUT /sim/config} changes them at run time.
 * Every default is a well-behaved provider.
 */
@ConfigMapping(prefix = "batchwise.simulator")
public interface SimulatorConfig {

    /** Serve the simulated provider APIs under /sim and use them for providers without a key. */
    @WithDefault("true")
    boolean enabled();

    /** Seed of every simulated choice (answers, injected errors); same seed, same behaviour. */
    @WithDefault("42")
    long seed();

    /** When set, only this API key is accepted; otherwise any non-empty key is. */
    Optional<String> apiKey();

    /** Time every batch takes, in milliseconds, on top of the per-item time. */
    @WithDefault("2000")
    @Min(0)
    long batchFixedMs();

    /** Time each request adds to its batch, in milliseconds (so large batches take longer). */
    @WithDefault("0")
    @DecimalMin("0")
    double batchPerItemMs();

    /** Share (0-1) of batch items that end errored with a server-side error type. */
    @WithDefault("0")
    @DecimalMin("0") @DecimalMax("1")
    double itemErrorRate();

    /** Batches never finish on their own; they expire after {@link #expireAfterMs()}. */
    @WithDefault("false")
    boolean neverFinish();

    /** When an unfinished batch expires, in milliseconds after creation (the real APIs: 24 h). */
    @WithDefault("86400000")
    @Min(1)
    long expireAfterMs();

    /** Fail every new batch at batch level (OpenAI: status failed with errors; Anthropic: all items errored). */
    @WithDefault("false")
    boolean failBatches();

    /** Real-time requests per second per provider; 0 is unlimited. Over it the answer is 429 + retry-after. */
    @WithDefault("0")
    @DecimalMin("0")
    double requestsPerSecond();

    /** Concurrent real-time requests per provider; 0 is unlimited. Over it the answer is 429. */
    @WithDefault("0")
    @Min(0)
    int maxConcurrent();

    /** The retry-after sent with a 429, in milliseconds (OpenAI also gets retry-after-ms). */
    @WithDefault("1000")
    @Min(0)
    long retryAfterMs();

    /** Share (0-1) of real-time calls answered 500 api_error or 529 overloaded_error (OpenAI: 500/503). */
    @WithDefault("0")
    @DecimalMin("0") @DecimalMax("1")
    double overloadedRate();

    /** Latency added to every real-time answer, in milliseconds. */
    @WithDefault("0")
    @Min(0)
    long latencyMs();

    /** Share (0-1) of JSON answers wrapped in Markdown fences. */
    @WithDefault("0.1")
    @DecimalMin("0") @DecimalMax("1")
    double fencedRate();

    /** Share (0-1) of JSON answers with prose around them. */
    @WithDefault("0.05")
    @DecimalMin("0") @DecimalMax("1")
    double proseRate();

    /** Share (0-1) of JSON answers that are broken (cut short). */
    @WithDefault("0.02")
    @DecimalMin("0") @DecimalMax("1")
    double brokenRate();

    /** Shortest prefix, in tokens, that a prompt cache stores (the real minimum is model-dependent). */
    @WithDefault("1024")
    @Min(1)
    int cacheMinTokens();

    /** Largest Anthropic batch body in bytes (the real API: 256 MB, then 413 request_too_large). */
    @WithDefault("268435456")
    @Min(1)
    long anthropicMaxBatchBytes();

    /** Largest OpenAI batch input file in bytes (the real API: 200 MB). */
    @WithDefault("209715200")
    @Min(1)
    long openaiMaxFileBytes();

    /**
     * How long a cancelled batch stays {@code canceling} / {@code cancelling}, in milliseconds. Requests keep
     * running meanwhile: those done by its end succeed, only the rest are cancelled (the real APIs drain too).
     */
    @WithDefault("300")
    @Min(0)
    long cancelDrainMs();

    /**
     * Share (0-1) of calls to the batch endpoints (create, retrieve, list, cancel, results; OpenAI also file
     * upload and file content) answered with a transient 500/529 (OpenAI: 500/503).
     */
    @WithDefault("0")
    @DecimalMin("0") @DecimalMax("1")
    double batchEndpointErrorRate();

    /**
     * When above 0, the first download of each batch's results is cut after this many lines: part of the next
     * line, then the connection is aborted. Later downloads are whole.
     */
    @WithDefault("0")
    @Min(0)
    int resultsCutAfterLines();

    /** Share (0-1) of results lines written broken: cut after their custom_id. */
    @WithDefault("0")
    @DecimalMin("0") @DecimalMax("1")
    double malformedLineRate();
}
