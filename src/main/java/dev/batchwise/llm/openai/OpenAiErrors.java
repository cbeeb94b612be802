package dev.batchwise.llm.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.llm.LlmErrorType;
import dev.batchwise.llm.LlmException;
import dev.batchwise.llm.RateLimit;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** OpenAI's error answers as our typed exceptions, its statuses and line errors as our error types. */
final class OpenAiErrors {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** One term of a Go-style duration as OpenAI's x-ratelimit-reset-* headers send them: 12ms, 1s, 6m0s. */
    private static final Pattern DURATION_TERM = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");
    /** What a 401 message may echo of a key ("Incorrect API key provided: sk-***abcd."), and key-like tokens. */
    private static final Pattern KEY_ECHO = Pattern.compile("(?i)(api key provided:\\s*)\\S+");
    private static final Pattern KEY_LIKE = Pattern.compile("\\bsk-[A-Za-z0-9_*\\-]+");

    private OpenAiErrors() {
    }

    /**
     * The 400 that a batch create may get right after its input file was uploaded, before the file is visible
     * to the batch service (provider-apis.md, Corrections 7): worth a brief retry, and to callers the
     * {@link LlmException.InvalidRequest} it is.
     */
    static final class FileNotVisibleYet extends LlmException.InvalidRequest {
        FileNotVisibleYet(int status, String message) {
            super(status, message);
        }
    }

    static LlmException toException(Response response) {
        int status = response.getStatus();
        JsonNode body = errorBody(response);
        String message = "openai answered " + status + ": " + (body == null ? "no error body" : describe(body));
        return switch (status) {
            case 400 -> isFileNotVisibleYet(body) ? new FileNotVisibleYet(status, message)
                    : new LlmException.InvalidRequest(status, message);
            case 409, 422 -> new LlmException.InvalidRequest(status, message);
            case 401, 403 -> new LlmException.Authentication(status, message);
            case 404 -> new LlmException.NotFound(message);
            case 413 -> new LlmException.RequestTooLarge(status, message);
            case 429 -> new LlmException.RateLimited(message, retryAfter(response::getHeaderString),
                    rateLimit(response::getHeaderString));
            default -> status >= 500 ? new LlmException.Overloaded(status, message)
                    : new LlmException.InvalidRequest(status, message);
        };
    }

    /** The type of a batch line that the endpoint answered with an HTTP error status. */
    static LlmErrorType typeOfStatus(int status) {
        return switch (status) {
            case 400, 409, 422 -> LlmErrorType.INVALID_REQUEST;
            case 401, 403 -> LlmErrorType.AUTHENTICATION;
            case 404 -> LlmErrorType.NOT_FOUND;
            case 408, 504 -> LlmErrorType.TIMEOUT;
            case 413 -> LlmErrorType.REQUEST_TOO_LARGE;
            case 429 -> LlmErrorType.RATE_LIMITED;
            case 503, 529 -> LlmErrorType.OVERLOADED;
            default -> status >= 500 ? LlmErrorType.SERVER_ERROR : LlmErrorType.UNKNOWN;
        };
    }

    /** The type of a batch line that never ran ({@code response} null, {@code error.code} set). */
    static LlmErrorType typeOfLineError(String code) {
        if (code == null) {
            return LlmErrorType.UNKNOWN;
        }
        return switch (code) {
            case "batch_expired" -> LlmErrorType.EXPIRED;
            case "batch_cancelled" -> LlmErrorType.CANCELLED;
            case "request_timeout" -> LlmErrorType.TIMEOUT;
            case "rate_limit_exceeded" -> LlmErrorType.RATE_LIMITED;
            case "server_error" -> LlmErrorType.SERVER_ERROR;
            default -> LlmErrorType.UNKNOWN;
        };
    }

    /**
     * The wait a 429 asks for: {@code retry-after-ms} first (what the SDKs prefer), then {@code retry-after} in
     * seconds or as an HTTP date; zero when neither is there or readable.
     */
    static Duration retryAfter(UnaryOperator<String> headers) {
        Double millis = decimal(headers.apply("retry-after-ms"));
        if (millis != null && millis >= 0) {
            return Duration.ofNanos((long) (millis * 1_000_000));
        }
        String value = headers.apply("retry-after");
        if (value == null) {
            return Duration.ZERO;
        }
        Double seconds = decimal(value);
        if (seconds != null && seconds >= 0) {
            return Duration.ofMillis((long) (seconds * 1000));
        }
        try {
            Duration until = Duration.between(Instant.now(),
                    ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return until.isNegative() ? Duration.ZERO : until;
        } catch (DateTimeParseException e) {
            return Duration.ZERO;
        }
    }

    /** From x-ratelimit-{limit,remaining,reset}-requests; the reset is a duration from now. */
    static RateLimit rateLimit(UnaryOperator<String> headers) {
        Duration reset = duration(headers.apply("x-ratelimit-reset-requests"));
        return new RateLimit(RateLimit.number(headers.apply("x-ratelimit-limit-requests")),
                RateLimit.number(headers.apply("x-ratelimit-remaining-requests")),
                reset == null ? null : Instant.now().plus(reset));
    }

    /**
     * A Go-style duration ({@code 12ms}, {@code 1s}, {@code 6m0s}, {@code 1h2m3.5s}), or a bare number of
     * seconds; null when unreadable.
     */
    static Duration duration(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String text = value.trim();
        Double bare = decimal(text);
        if (bare != null) {
            return bare < 0 ? null : Duration.ofNanos((long) (bare * 1e9));
        }
        Matcher m = DURATION_TERM.matcher(text);
        int end = 0;
        double nanos = 0;
        while (m.find()) {
            if (m.start() != end) {
                return null;
            }
            double amount = Double.parseDouble(m.group(1));
            nanos += amount * switch (m.group(2)) {
                case "ns" -> 1d;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9; // h
            };
            end = m.end();
        }
        return end == text.length() && end > 0 ? Duration.ofNanos((long) nanos) : null;
    }

    /** "type/code: message" from the error body, with anything that echoes a key removed. */
    static String describe(JsonNode errorBody) {
        JsonNode error = errorBody == null ? null : errorBody.path("error");
        if (error == null || !error.isObject()) {
            return "no error details";
        }
        String type = error.path("type").asText("unknown_error");
        String code = error.path("code").isTextual() ? error.path("code").asText() : null;
        return type + (code == null ? "" : "/" + code) + ": " + redact(error.path("message").asText(""));
    }

    /** A provider message without any echo of a key (the 401 answers quote a masked form of it). */
    static String redact(String message) {
        if (message == null) {
            return "";
        }
        return KEY_LIKE.matcher(KEY_ECHO.matcher(message).replaceAll("$1[redacted]")).replaceAll("[redacted]");
    }

    /** "Cannot find file file-..., or project ... does not have access to it." with {@code param: "file_id"}. */
    static boolean isFileNotVisibleYet(JsonNode body) {
        JsonNode error = body == null ? null : body.path("error");
        return error != null && "file_id".equals(error.path("param").asText(null))
                && error.path("message").asText("").startsWith("Cannot find file");
    }

    private static JsonNode errorBody(Response response) {
        try {
            return MAPPER.readTree(response.readEntity(String.class));
        } catch (Exception e) {
            return null;
        }
    }


    private static Double decimal(String value) {
        try {
            return value == null ? null : Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
