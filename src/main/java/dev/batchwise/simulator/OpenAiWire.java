package dev.batchwise.simulator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes the simulated OpenAI API answers with (provider-apis.md §2), spelled as the API spells them.
 * Nulls are always written: clients and the SDK distinguish "null" from "missing" only leniently, but the real
 * API sends {@code "output_file_id": null} and {@code "error": null}, and tests compare against that.
 */
final class OpenAiWire {

    private OpenAiWire() {
    }

    // ---- errors: {"error": {message, type, param, code}} on every endpoint (§2.10) ----

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record ErrorObject(String message, String type, String param, String code) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record ErrorBody(ErrorObject error) {
    }

    // ---- files (§2.3) ----

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record FileObject(String id, String object, long bytes, long createdAt, Long expiresAt, String filename,
                      String purpose, String status) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record FileDeleted(String id, String object, boolean deleted) {
    }

    // ---- batches (§2.6, §2.8) ----

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record BatchError(String code, String message, String param, Integer line) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record BatchErrors(String object, List<BatchError> data) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record RequestCounts(int total, int completed, int failed) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record InputTokensDetails(long cachedTokens) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record OutputTokensDetails(long reasoningTokens) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record BatchUsage(long inputTokens, InputTokensDetails inputTokensDetails, long outputTokens,
                      OutputTokensDetails outputTokensDetails, long totalTokens) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Batch(String id, String object, String endpoint, String model, BatchErrors errors, String inputFileId,
                 String completionWindow, String status, String outputFileId, String errorFileId, long createdAt,
                 Long inProgressAt, Long expiresAt, Long finalizingAt, Long completedAt, Long failedAt,
                 Long expiredAt, Long cancellingAt, Long cancelledAt, RequestCounts requestCounts, BatchUsage usage,
                 Map<String, String> metadata) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record BatchList(String object, List<Batch> data, String firstId, String lastId, boolean hasMore) {
    }

    // ---- chat completions (§2.11) ----

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record ChatMessage(String role, String content, String refusal, List<Object> annotations) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Choice(int index, ChatMessage message, Object logprobs, String finishReason) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record PromptTokensDetails(int cachedTokens, int audioTokens) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record CompletionTokensDetails(int reasoningTokens, int audioTokens, int acceptedPredictionTokens,
                                   int rejectedPredictionTokens) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record CompletionUsage(int promptTokens, int completionTokens, int totalTokens,
                           PromptTokensDetails promptTokensDetails, CompletionTokensDetails completionTokensDetails) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ChatCompletion(String id, String object, long created, String model, List<Choice> choices,
                          CompletionUsage usage, String serviceTier, String systemFingerprint) {

        /** UNCONFIRMED: any stable value will do; real ones look like fp_44709d6fcb. */
        static final String FINGERPRINT = "fp_batchwise_sim";

        /** The one shape both real time and batch lines use, so their content is byte-identical. */
        static ChatCompletion of(String id, long created, String model, SimulatedModel.Answer answer,
                                 int promptTokens, int cachedTokens) {
            ChatMessage message = new ChatMessage("assistant", answer.text(), null, List.of());
            Choice choice = new Choice(0, message, null, answer.truncated() ? "length" : "stop");
            CompletionUsage usage = new CompletionUsage(promptTokens, answer.outputTokens(),
                    promptTokens + answer.outputTokens(), new PromptTokensDetails(cachedTokens, 0),
                    new CompletionTokensDetails(0, 0, 0, 0));
            // the real API answers with the dated snapshot name (gpt-4o-mini-2024-07-18); we echo the request's
            return new ChatCompletion(id, "chat.completion", created, model, List.of(choice), usage, "default",
                    FINGERPRINT);
        }
    }

    // ---- batch output and error file lines (§2.7) ----

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record LineResponse(int statusCode, String requestId, Object body) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record LineError(String code, String message) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record OutputLine(String id, String customId, LineResponse response, LineError error) {
    }
}
