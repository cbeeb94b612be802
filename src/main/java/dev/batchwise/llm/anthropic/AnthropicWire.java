package dev.batchwise.llm.anthropic;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The parts of Anthropic's Messages and Message Batches wire format that Batchwise sends and reads. */
final class AnthropicWire {

    private AnthropicWire() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record MessageRequest(String model, @JsonProperty("max_tokens") int maxTokens, List<SystemBlock> system,
                          List<Msg> messages, Double temperature) {
    }

    record Msg(String role, String content) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SystemBlock(String type, String text, @JsonProperty("cache_control") CacheControl cacheControl) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CacheControl(String type, String ttl) {
    }

    record BatchRequest(@JsonProperty("custom_id") String customId, MessageRequest params) {
    }

    record MessageBatch(String id, @JsonProperty("processing_status") String processingStatus,
                        @JsonProperty("request_counts") RequestCounts requestCounts,
                        @JsonProperty("created_at") String createdAt, @JsonProperty("ended_at") String endedAt,
                        @JsonProperty("cancel_initiated_at") String cancelInitiatedAt,
                        @JsonProperty("results_url") String resultsUrl) {
    }

    /** A page of {@code GET /v1/messages/batches}: newest first; {@code after_id=last_id} pages to older ones. */
    record BatchList(List<MessageBatch> data, @JsonProperty("has_more") boolean hasMore,
                     @JsonProperty("first_id") String firstId, @JsonProperty("last_id") String lastId) {
    }

    record RequestCounts(int processing, int succeeded, int errored, int canceled, int expired) {
    }

    record Message(String id, String model, List<Block> content, @JsonProperty("stop_reason") String stopReason,
                   Usage usage) {
    }

    record Block(String type, String text) {
    }

    record Usage(@JsonProperty("input_tokens") long inputTokens, @JsonProperty("output_tokens") long outputTokens,
                 @JsonProperty("cache_creation_input_tokens") Long cacheCreationInputTokens,
                 @JsonProperty("cache_read_input_tokens") Long cacheReadInputTokens) {
    }

    /** One line of the results JSONL. */
    record ResultLine(@JsonProperty("custom_id") String customId, Result result) {
    }

    /** Exactly one of succeeded (message) | errored (error) | canceled | expired, by {@code type}. */
    record Result(String type, Message message, ErrorResponse error) {
    }

    record ErrorResponse(String type, ErrorObject error) {
    }

    record ErrorObject(String type, String message) {
    }
}
