package dev.batchwise.batch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * The batch path's own settings: attempts, leases, chunk sizes. The five the seed names ({@code BATCH_API_ENABLED},
 * {@code BATCH_THRESHOLD}, {@code BATCH_POLL_INTERVAL_MS}, {@code BATCH_TIMEOUT_MS},
 * {@code BATCH_MAX_REQUESTS_PER_BATCH}) share the prefix but live in {@code settings.BatchEnvironment}, since a row
 * of {@code llm_configurations} overrides them at run time: read them through {@code settings.RuntimeSettings}.
 */
@ConfigMapping(prefix = "batch")
public interface BatchConfig {

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
