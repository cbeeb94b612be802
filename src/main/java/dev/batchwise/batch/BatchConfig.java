package dev.batchwise.batch;

import dev.batchwise.llm.Provider;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * The batch path. The seed's environment variables map onto it unchanged:
 * {@code BATCH_API_ENABLED}, {@code BATCH_THRESHOLD}, {@code BATCH_POLL_INTERVAL_MS},
 * {@code BATCH_TIMEOUT_MS}, {@code BATCH_MAX_REQUESTS_PER_BATCH}.
 */
@ConfigMapping(prefix = "batch")
public interface BatchConfig {

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

    /** Times one item's request is sent at most, its batch included; the rest go one by one in real time. */
    @WithDefault("3")
    @Min(1)
    @Max(20)
    int itemMaxAttempts();

    /** Submit attempts of one job (transient provider failures) before its items go to real time. */
    @WithDefault("5")
    @Min(1)
    @Max(100)
    int submitMaxAttempts();

    /** First wait between submit attempts, in milliseconds; doubles, at most 30 s. */
    @WithDefault("1000")
    @Min(1)
    long submitBackoffMs();

    /**
     * How long a claimed job is an instance's own without a sign of life, in milliseconds. A worker renews it
     * while it works; after a crash another instance takes the job over once it has passed.
     */
    @WithDefault("60000")
    @Min(100)
    long claimLeaseMs();

    /** Results applied per transaction while collecting. */
    @WithDefault("500")
    @Min(1)
    @Max(10000)
    int collectChunkSize();

    /** Due jobs one instance claims per poller round. */
    @WithDefault("10")
    @Min(1)
    @Max(1000)
    int claimsPerRound();
}
