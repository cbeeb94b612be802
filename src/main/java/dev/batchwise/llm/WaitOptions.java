package dev.batchwise.llm;

import java.time.Duration;

/**
 * How {@link BatchLlmService#submitAndWait} waits: poll interval and the time after which the batch is
 * cancelled at the provider and whatever did not finish is returned as failed.
 */
public record WaitOptions(Duration pollInterval, Duration timeout) {

    public WaitOptions {
        if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }
}
