package dev.batchwise.llm;

/** The outcome of one request: content on success, an error otherwise; usage when the provider reported it. */
public record LlmResult(String customId, boolean success, String content, LlmError error, LlmUsage usage) {

    public static LlmResult succeeded(String customId, String content, LlmUsage usage) {
        return new LlmResult(customId, true, content, null, usage == null ? LlmUsage.ZERO : usage);
    }

    public static LlmResult failed(String customId, LlmErrorType type, String message) {
        return new LlmResult(customId, false, null, new LlmError(type, message), LlmUsage.ZERO);
    }

    public LlmResult withCustomId(String id) {
        return new LlmResult(id, success, content, error, usage);
    }
}
