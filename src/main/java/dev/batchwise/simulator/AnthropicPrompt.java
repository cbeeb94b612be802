package dev.batchwise.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * The parts of an Anthropic Messages request ({@code POST /v1/messages} body, or a batch request's
 * {@code params}) that decide the simulated answer and its usage, or the reason the request is invalid.
 */
record AnthropicPrompt(String invalid, String model, String system, String conversation, int maxTokens,
                       String cachedPrefix, Duration cacheTtl) {

    static final String VERSION_2023 = "2023-06-01";
    static final String VERSION_2026 = "2026-10-21";

    static AnthropicPrompt invalid(String reason) {
        return new AnthropicPrompt(reason, null, null, null, 0, null, null);
    }

    static AnthropicPrompt parse(JsonNode params, String version) {
        if (params == null || !params.isObject()) {
            return invalid("params: Input should be an object");
        }
        JsonNode model = params.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            return invalid("model: Field required");
        }
        JsonNode maxTokens = params.get("max_tokens");
        if (maxTokens == null || !maxTokens.canConvertToInt()) {
            return invalid("max_tokens: Field required");
        }
        if (maxTokens.asInt() < 1) {
            return invalid("max_tokens: Input should be greater than or equal to 1");
        }
        if (VERSION_2026.equals(version)) {
            // anthropic-version 2026-10-21 removed the sampling parameters: any value is a 400
            for (String removed : new String[] {"temperature", "top_p", "top_k"}) {
                if (params.has(removed)) {
                    return invalid(removed + ": Extra inputs are not permitted (removed in anthropic-version "
                            + VERSION_2026 + ")");
                }
            }
        }
        JsonNode messages = params.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            return invalid("messages: Field required (a non-empty list)");
        }
        StringBuilder conversation = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String role = message.path("role").asText("");
            if (!role.equals("user") && !role.equals("assistant")) {
                return invalid("messages." + i + ".role: Input should be 'user' or 'assistant'");
            }
            String text = text(message.get("content"));
            if (text == null) {
                return invalid("messages." + i + ".content: Input should be a string or a list of content blocks");
            }
            conversation.append(role).append(": ").append(text).append('\n');
        }
        StringBuilder system = new StringBuilder();
        String cachedPrefix = null;
        Duration ttl = Duration.ofMinutes(5);
        JsonNode systemNode = params.get("system");
        if (systemNode != null && systemNode.isTextual()) {
            system.append(systemNode.asText());
        } else if (systemNode != null && systemNode.isArray()) {
            for (JsonNode block : systemNode) {
                if (!"text".equals(block.path("type").asText()) || !block.path("text").isTextual()) {
                    return invalid("system: Input should be a string or a list of text blocks");
                }
                system.append(block.get("text").asText());
                JsonNode cacheControl = block.get("cache_control");
                if (cacheControl != null && !cacheControl.isNull()) {
                    cachedPrefix = system.toString(); // the breakpoint: everything up to and including this block
                    ttl = "1h".equals(cacheControl.path("ttl").asText()) ? Duration.ofHours(1) : Duration.ofMinutes(5);
                }
            }
        } else if (systemNode != null && !systemNode.isNull()) {
            return invalid("system: Input should be a string or a list of text blocks");
        }
        JsonNode topLevelCache = params.get("cache_control");
        if (cachedPrefix == null && topLevelCache != null && topLevelCache.isObject() && system.length() > 0) {
            cachedPrefix = system.toString(); // automatic caching: the breakpoint on the last cacheable block
            ttl = "1h".equals(topLevelCache.path("ttl").asText()) ? Duration.ofHours(1) : Duration.ofMinutes(5);
        }
        return new AnthropicPrompt(null, model.asText(), system.toString(), conversation.toString(),
                maxTokens.asInt(), cachedPrefix, ttl);
    }

    private static String text(JsonNode content) {
        if (content == null) {
            return null;
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode block : content) {
            if (block.path("text").isTextual()) {
                text.append(block.get("text").asText());
            }
        }
        return text.toString();
    }

    int promptTokens() {
        return SimulatedModel.tokens(system) + SimulatedModel.tokens(conversation);
    }
}
