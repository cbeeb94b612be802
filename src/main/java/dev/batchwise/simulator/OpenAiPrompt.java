package dev.batchwise.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * The parts of a Chat Completions request (the {@code POST /v1/chat/completions} body, or a batch line's
 * {@code body}) that decide the simulated answer and its usage, or why the endpoint would reject it.
 * Real time and batch both go through here, so the same request gets the same hash and the same answer.
 */
record OpenAiPrompt(OpenAiWire.ErrorObject invalid, String model, String system, String conversation,
                    int maxTokens) {

    /** No max_completion_tokens / max_tokens: the answer is limited by the model only; ours are short anyway. */
    static final int DEFAULT_MAX_TOKENS = 16_384;

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

    static OpenAiPrompt parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            return invalid("The request body must be a JSON object.", "body", "invalid_type");
        }
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            // the real API's wording, with param and code null
            return invalid("you must provide a model parameter", null, null);
        }
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) {
            return invalid("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
        }
        if (!messages.isArray()) {
            return invalid("Invalid type for 'messages': expected an array.", "messages", "invalid_type");
        }
        if (messages.isEmpty()) {
            return invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an"
                    + " empty array instead.", "messages", "empty_array");
        }
        StringBuilder system = new StringBuilder();
        StringBuilder conversation = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String role = message.path("role").asText("");
            if (!ROLES.contains(role)) {
                return invalid("Invalid value: '" + role + "'. Supported values are: 'system', 'assistant', 'user',"
                        + " 'function', 'tool', and 'developer'.", "messages[" + i + "].role", "invalid_value");
            }
            String text = text(message.get("content"));
            if (text == null) {
                return invalid("Invalid type for 'messages[" + i + "].content': expected a string or an array of"
                        + " content parts.", "messages[" + i + "].content", "invalid_type");
            }
            if (role.equals("system") || role.equals("developer")) {
                // the instructions, like Anthropic's system: several are joined, one per line
                system.append(system.length() == 0 ? "" : "\n").append(text);
            } else {
                // the same "role: text\n" transcript AnthropicPrompt builds
                conversation.append(role).append(": ").append(text).append('\n');
            }
        }
        int maxTokens = DEFAULT_MAX_TOKENS;
        for (String name : new String[] {"max_tokens", "max_completion_tokens"}) { // the newer one wins
            JsonNode limit = body.get(name);
            if (limit != null && !limit.isNull()) {
                if (!limit.canConvertToInt() || limit.asInt() < 1) {
                    return invalid("Invalid '" + name + "': integer below minimum value. Expected a value >= 1.",
                            name, "integer_below_min_value");
                }
                maxTokens = limit.asInt();
            }
        }
        return new OpenAiPrompt(null, model.asText(), system.toString(), conversation.toString(), maxTokens);
    }

    private static OpenAiPrompt invalid(String message, String param, String code) {
        return new OpenAiPrompt(new OpenAiWire.ErrorObject(message, "invalid_request_error", param, code),
                null, null, null, 0);
    }

    /** A string, or the text parts of a content-part array; null content (assistant tool calls) is empty. */
    private static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (part.path("text").isTextual()) {
                text.append(part.get("text").asText());
            }
        }
        return text.toString();
    }

    long hash(long seed) {
        return SimulatedModel.promptHash(seed, model, system, conversation);
    }

    SimulatedModel.Kind kind() {
        return SimulatedModel.kind(system, conversation);
    }

    /** OpenAI: prompt_tokens counts everything, cached tokens included. */
    int promptTokens() {
        return SimulatedModel.tokens(system) + SimulatedModel.tokens(conversation);
    }

    /** What automatic prompt caching keys on: the instructions, which lead every prompt. */
    long prefixHash() {
        return SimulatedModel.promptHash(0, model, system, "");
    }

    int prefixTokens() {
        return SimulatedModel.tokens(system);
    }
}
