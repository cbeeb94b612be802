package dev.batchwise.llm;

/**
 * One LLM call, the same for the batch and the real-time path.
 *
 * @param customId          the caller's id; results come back under it, whatever the provider accepts
 * @param systemPrompt      optional instructions shared by many requests
 * @param model             optional; the provider's configured model otherwise
 * @param maxTokens         optional; 1024 otherwise
 * @param temperature       optional; see the README for how each provider version takes it
 * @param cacheSystemPrompt mark the system prompt for the provider's prompt cache (Anthropic cache_control)
 */
public record LlmRequest(String customId, String systemPrompt, String userPrompt, String model, Integer maxTokens,
                         Double temperature, Boolean cacheSystemPrompt) {

    public static final int DEFAULT_MAX_TOKENS = 1024;

    public LlmRequest {
        if (customId == null || customId.isEmpty()) {
            throw new IllegalArgumentException("customId is required");
        }
        if (userPrompt == null) {
            throw new IllegalArgumentException("userPrompt is required (customId " + customId + ")");
        }
    }

    public static LlmRequest of(String customId, String systemPrompt, String userPrompt) {
        return new LlmRequest(customId, systemPrompt, userPrompt, null, null, null, null);
    }

    public int maxTokensOrDefault() {
        return maxTokens == null ? DEFAULT_MAX_TOKENS : maxTokens;
    }

    public boolean cachesSystemPrompt() {
        return Boolean.TRUE.equals(cacheSystemPrompt) && systemPrompt != null && !systemPrompt.isEmpty();
    }

    public LlmRequest withCustomId(String id) {
        return new LlmRequest(id, systemPrompt, userPrompt, model, maxTokens, temperature, cacheSystemPrompt);
    }
}
