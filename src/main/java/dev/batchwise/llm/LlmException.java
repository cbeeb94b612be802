package dev.batchwise.llm;

import java.time.Duration;

/**
 * A provider call that failed as a whole, by kind. Messages name the provider and the problem, never a key
 * or a prompt.
 */
public class LlmException extends RuntimeException {

    private final LlmErrorType type;
    private final int status;

    protected LlmException(LlmErrorType type, int status, String message) {
        super(message);
        this.type = type;
        this.status = status;
    }

    public LlmErrorType type() {
        return type;
    }

    /** The HTTP status the provider answered, 0 when there was none (timeout, connection). */
    public int status() {
        return status;
    }

    public boolean retryable() {
        return type.retryable();
    }

    /** Not final: an adapter may mark a particular 400 that it handles itself (and is still this one to callers). */
    public static class InvalidRequest extends LlmException {
        public InvalidRequest(int status, String message) {
            super(LlmErrorType.INVALID_REQUEST, status, message);
        }
    }

    public static final class Authentication extends LlmException {
        public Authentication(int status, String message) {
            super(LlmErrorType.AUTHENTICATION, status, message);
        }
    }

    public static final class NotFound extends LlmException {
        public NotFound(String message) {
            super(LlmErrorType.NOT_FOUND, 404, message);
        }
    }

    public static final class RequestTooLarge extends LlmException {
        public RequestTooLarge(int status, String message) {
            super(LlmErrorType.REQUEST_TOO_LARGE, status, message);
        }
    }

    /** A 429. {@code retryAfter} is what the provider asked for (zero when it said nothing). */
    public static final class RateLimited extends LlmException {
        private final Duration retryAfter;
        private final RateLimit rateLimit;

        public RateLimited(String message, Duration retryAfter, RateLimit rateLimit) {
            super(LlmErrorType.RATE_LIMITED, 429, message);
            this.retryAfter = retryAfter;
            this.rateLimit = rateLimit;
        }

        public Duration retryAfter() {
            return retryAfter;
        }

        public RateLimit rateLimit() {
            return rateLimit;
        }
    }

    /** 5xx, including Anthropic's 529 overloaded_error. */
    public static final class Overloaded extends LlmException {
        public Overloaded(int status, String message) {
            super(status >= 500 && status != 529 && status != 503 ? LlmErrorType.SERVER_ERROR : LlmErrorType.OVERLOADED,
                    status, message);
        }
    }

    /** No HTTP answer at all (connection refused or reset, read timeout): worth another try. */
    public static final class Unreachable extends LlmException {
        public Unreachable(String message) {
            super(LlmErrorType.SERVER_ERROR, 0, message);
        }
    }

    /** The failure as one of ours: an untyped one (from the HTTP client) means the provider was not reached. */
    public static LlmException typed(String provider, Throwable failure) {
        if (failure instanceof LlmException typed) {
            return typed;
        }
        return new Unreachable(provider + " could not be reached: " + failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : " (" + failure.getMessage() + ")"));
    }

    public static final class Timeout extends LlmException {
        public Timeout(String message) {
            super(LlmErrorType.TIMEOUT, 0, message);
        }
    }
}
