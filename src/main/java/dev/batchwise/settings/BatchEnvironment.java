package dev.batchwise.settings;

import dev.batchwise.llm.Provider;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * The batch settings a row of {@code llm_configurations} can override, as the environment gives them. The seed's
 * environment variables map onto them unchanged: {@code BATCH_API_ENABLED}, {@code BATCH_THRESHOLD}, {@code
 * BATCH_POLL_INTERVAL_MS}, {@code BATCH_TIMEOUT_MS}, {@code BATCH_MAX_REQUESTS_PER_BATCH}. Read them through
 * {@link RuntimeSettings}, never directly: what applies is the database's value when it has one. The batch path's
 * other settings (attempts, leases, chunk sizes) are {@code batch.BatchConfig}, under the same prefix.
 */
@ConfigMapping(prefix = "batch")
public interface BatchEnvironment {

    /** Master switch: false sends every workload to the real-time path. */
    @WithDefault("true")
    boolean apiEnabled();

    /** Workloads with more atoms than this go to a provider batch; the rest run in real time. */
    @WithDefault("20")
    @Min(0)
    int threshold();

    /** How often a submitted batch is polled, in milliseconds. */
    @WithDefault("30000")
    @Min(1)
    long pollIntervalMs();

    /** How long a batch may run before it is cancelled and its rest goes to real time, in milliseconds. */
    @WithDefault("3600000")
    @Min(1)
    long timeoutMs();

    /** Requests per provider batch; larger workloads are split. Never above the provider's own limit. */
    @WithDefault("5000")
    @Min(1)
    @Max(Provider.LARGEST_BATCH_LIMIT)
    int maxRequestsPerBatch();
}
