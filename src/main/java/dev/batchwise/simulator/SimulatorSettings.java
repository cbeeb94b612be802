package dev.batchwise.simulator;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The simulator's knobs as they are now; {@code PUT /sim/config} takes any subset of these fields.
 * The meaning of each is documented on {@link SimulatorConfig}.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SimulatorSettings(
        long seed,
        String apiKey,
        long batchFixedMs,
        double batchPerItemMs,
        double itemErrorRate,
        boolean neverFinish,
        long expireAfterMs,
        boolean failBatches,
        double requestsPerSecond,
        int maxConcurrent,
        long retryAfterMs,
        double overloadedRate,
        long latencyMs,
        double fencedRate,
        double proseRate,
        double brokenRate,
        int cacheMinTokens,
        long anthropicMaxBatchBytes,
        long openaiMaxFileBytes,
        long cancelDrainMs,
        double batchEndpointErrorRate,
        int resultsCutAfterLines,
        double malformedLineRate) {

    static SimulatorSettings from(SimulatorConfig c) {
        return new SimulatorSettings(c.seed(), c.apiKey().orElse(null), c.batchFixedMs(), c.batchPerItemMs(),
                c.itemErrorRate(), c.neverFinish(), c.expireAfterMs(), c.failBatches(), c.requestsPerSecond(),
                c.maxConcurrent(), c.retryAfterMs(), c.overloadedRate(), c.latencyMs(), c.fencedRate(), c.proseRate(),
                c.brokenRate(), c.cacheMinTokens(), c.anthropicMaxBatchBytes(), c.openaiMaxFileBytes(), c.cancelDrainMs(),
                c.batchEndpointErrorRate(), c.resultsCutAfterLines(), c.malformedLineRate());
    }

    /** The problem with these values, or null when they are all in range. */
    String problem() {
        if (batchFixedMs < 0 || batchPerItemMs < 0 || expireAfterMs < 1 || retryAfterMs < 0 || latencyMs < 0
                || cancelDrainMs < 0) {
            return "times (batchFixedMs, batchPerItemMs, retryAfterMs, latencyMs, cancelDrainMs) must be >= 0"
                    + " (expireAfterMs >= 1)";
        }
        for (double rate : new double[] {itemErrorRate, overloadedRate, fencedRate, proseRate, brokenRate,
                batchEndpointErrorRate, malformedLineRate}) {
            if (rate < 0 || rate > 1) {
                return "rates (itemErrorRate, overloadedRate, fencedRate, proseRate, brokenRate,"
                        + " batchEndpointErrorRate, malformedLineRate) must be in 0..1";
            }
        }
        if (fencedRate + proseRate + brokenRate > 1) {
            return "fencedRate + proseRate + brokenRate must not exceed 1";
        }
        if (requestsPerSecond < 0 || maxConcurrent < 0 || cacheMinTokens < 1
                || anthropicMaxBatchBytes < 1 || openaiMaxFileBytes < 1) {
            return "limits must be >= 0 (cacheMinTokens and byte limits >= 1)";
        }
        if (resultsCutAfterLines < 0) {
            return "resultsCutAfterLines must be >= 0 (0 is off)";
        }
        return null;
    }

    /** How long a batch of n requests takes. */
    long batchDurationMs(int n) {
        return batchFixedMs + Math.round(batchPerItemMs * n);
    }
}
