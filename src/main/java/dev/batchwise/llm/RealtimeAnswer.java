package dev.batchwise.llm;

/** A real-time call's result together with the rate-limit state the provider reported with it. */
public record RealtimeAnswer(LlmResult result, RateLimit rateLimit) {
}
