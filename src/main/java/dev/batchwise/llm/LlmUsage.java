package dev.batchwise.llm;

/**
 * Tokens of one call or a sum of calls. {@code inputTokens} never includes cached tokens (Anthropic's way);
 * the OpenAI adapter subtracts {@code cached_tokens} from {@code prompt_tokens} to match.
 */
public record LlmUsage(long inputTokens, long outputTokens, long cacheCreationTokens, long cacheReadTokens) {

    public static final LlmUsage ZERO = new LlmUsage(0, 0, 0, 0);

    public LlmUsage plus(LlmUsage other) {
        return other == null ? this : new LlmUsage(inputTokens + other.inputTokens, outputTokens + other.outputTokens,
                cacheCreationTokens + other.cacheCreationTokens, cacheReadTokens + other.cacheReadTokens);
    }
}
