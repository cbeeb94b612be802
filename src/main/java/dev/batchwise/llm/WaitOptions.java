package dev.batchwise.llm;

import java.time.Duration;

/**
 * How {@link BatchLlmService#submitAndWait} waits: poll interval and the time after which the batch is
 * cancelled at the provider and whatever did not finish is returned as failed.
 */
public record WaitOptions(Duration pollInterval, Duration timeout) {
}
