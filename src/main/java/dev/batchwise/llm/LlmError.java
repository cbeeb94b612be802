package dev.batchwise.llm;

/** What went wrong with one request. */
public record LlmError(LlmErrorType type, String message) {
}
