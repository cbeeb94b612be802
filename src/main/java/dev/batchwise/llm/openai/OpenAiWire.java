package dev.batchwise.llm.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The parts of OpenAI's Files, Batch and Chat Completions wire format that Batchwise sends and reads
 * (provider-apis.md §2). Everything read tolerates unknown fields and missing values: the spec marks most
 * fields optional or nullable.
 */
final class OpenAiWire {

    private OpenAiWire() {
    }

    // ---- chat completions (§2.11); also the body of every batch input line ----

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ChatRequest(String model, List<Msg> messages,
                       @JsonProperty("max_completion_tokens") Integer maxCompletionTokens, Double temperature) {
    }

    record Msg(String role, String content) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ChatCompletion(String id, String model, List<Choice> choices, Usage usage) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Choice(Integer index, ChatMessage message, @JsonProperty("finish_reason") String finishReason) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ChatMessage(String role, String content, String refusal) {
    }

    /** {@code prompt_tokens} includes {@code prompt_tokens_details.cached_tokens}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Usage(@JsonProperty("prompt_tokens") Long promptTokens,
                 @JsonProperty("completion_tokens") Long completionTokens,
                 @JsonProperty("prompt_tokens_details") PromptTokensDetails promptTokensDetails) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record PromptTokensDetails(@JsonProperty("cached_tokens") Long cachedTokens) {
    }

    // ---- batch input file (§2.4) ----

    /** One line of the input JSONL. */
    record InputLine(@JsonProperty("custom_id") String customId, String method, String url, ChatRequest body) {
    }

    // ---- files (§2.3) ----

    @JsonIgnoreProperties(ignoreUnknown = true)
    record FileObject(String id, Long bytes, String filename, String purpose, String status) {
    }

    // ---- batches (§2.5, §2.6) ----

    /** {@code metadata} null when there is none: it is then left out. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record BatchCreate(@JsonProperty("input_file_id") String inputFileId, String endpoint,
                       @JsonProperty("completion_window") String completionWindow, Map<String, String> metadata) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Batch(String id, String status, BatchErrors errors,
                 @JsonProperty("input_file_id") String inputFileId,
                 @JsonProperty("output_file_id") String outputFileId,
                 @JsonProperty("error_file_id") String errorFileId,
                 @JsonProperty("created_at") Long createdAt,
                 @JsonProperty("completed_at") Long completedAt,
                 @JsonProperty("failed_at") Long failedAt,
                 @JsonProperty("expired_at") Long expiredAt,
                 @JsonProperty("cancelled_at") Long cancelledAt,
                 @JsonProperty("request_counts") RequestCounts requestCounts,
                 Map<String, String> metadata) {
    }

    /** A page of {@code GET /v1/batches}: newest first; {@code after=last_id} pages to older ones. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record BatchList(List<Batch> data, @JsonProperty("first_id") String firstId,
                     @JsonProperty("last_id") String lastId, @JsonProperty("has_more") boolean hasMore) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record BatchErrors(List<BatchError> data) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record BatchError(String code, String message, String param, Integer line) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record RequestCounts(int total, int completed, int failed) {
    }

    // ---- output and error file lines (§2.7) ----

    /**
     * One line of an output or error file: either {@code response} (any HTTP status; its body is a
     * {@link ChatCompletion} for 200, an {@link ErrorBody} otherwise) or, for requests that never ran,
     * {@code error} with {@code response} null.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record OutputLine(String id, @JsonProperty("custom_id") String customId, LineResponse response,
                      LineError error) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record LineResponse(@JsonProperty("status_code") Integer statusCode, @JsonProperty("request_id") String requestId,
                        JsonNode body) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record LineError(String code, String message) {
    }

    // ---- errors (§2.10): {"error": {message, type, param, code}} ----

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ErrorBody(ErrorObject error) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ErrorObject(String message, String type, String param, String code) {
    }
}
