package dev.batchwise.llm.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.llm.LlmErrorType;
import dev.batchwise.llm.LlmException;
import dev.batchwise.llm.RateLimit;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Anthropic's error answers as our typed exceptions, and its error types as ours. */
final class AnthropicErrors {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AnthropicErrors() {
    }

    static LlmException toException(Response response) {
        int status = response.getStatus();
        String message = "anthropic answered " + status + ": " + errorMessage(response);
        return switch (status) {
            case 400, 409, 422 -> new LlmException.InvalidRequest(status, message);
            case 401, 403 -> new LlmException.Authentication(status, message);
            case 404 -> new LlmException.NotFound(message);
            case 413 -> new LlmException.RequestTooLarge(status, message);
            case 429 -> new LlmException.RateLimited(message, retryAfter(response), rateLimit(response));
            default -> status >= 500 ? new LlmException.Overloaded(status, message)
                    : new LlmException.InvalidRequest(status, message);
        };
    }

    static LlmErrorType type(String anthropicType) {
        if (anthropicType == null) {
            return LlmErrorType.UNKNOWN;
        }
        return switch (anthropicType) {
            case "invalid_request_error" -> LlmErrorType.INVALID_REQUEST;
            case "authentication_error", "permission_error" -> LlmErrorType.AUTHENTICATION;
            case "not_found_error" -> LlmErrorType.NOT_FOUND;
            case "request_too_large" -> LlmErrorType.REQUEST_TOO_LARGE;
            case "rate_limit_error" -> LlmErrorType.RATE_LIMITED;
            case "overloaded_error" -> LlmErrorType.OVERLOADED;
            case "api_error" -> LlmErrorType.SERVER_ERROR;
            case "timeout_error" -> LlmErrorType.TIMEOUT;
            default -> LlmErrorType.UNKNOWN;
        };
    }

    /** retry-after is whole seconds (or an HTTP date, which Anthropic does not send; then no wait is known). */
    static Duration retryAfter(Response response) {
        String value = response.getHeaderString("retry-after");
        try {
            return value == null ? Duration.ZERO : Duration.ofMillis((long) (Double.parseDouble(value.trim()) * 1000));
        } catch (NumberFormatException e) {
            return Duration.ZERO;
        }
    }

    static RateLimit rateLimit(Response response) {
        return new RateLimit(RateLimit.number(response.getHeaderString("anthropic-ratelimit-requests-limit")),
                RateLimit.number(response.getHeaderString("anthropic-ratelimit-requests-remaining")),
                instant(response.getHeaderString("anthropic-ratelimit-requests-reset")));
    }

    private static String errorMessage(Response response) {
        try {
            JsonNode body = MAPPER.readTree(response.readEntity(String.class));
            JsonNode error = body.path("error");
            return error.path("type").asText("unknown_error") + ": " + error.path("message").asText("");
        } catch (Exception e) {
            return "no error body";
        }
    }


    private static Instant instant(String value) {
        try {
            return value == null ? null : Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
