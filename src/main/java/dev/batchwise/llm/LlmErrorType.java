package dev.batchwise.llm;

/** Why a call failed, in provider-neutral terms. */
public enum LlmErrorType {
    INVALID_REQUEST(false),
    AUTHENTICATION(false),
    NOT_FOUND(false),
    REQUEST_TOO_LARGE(false),
    RATE_LIMITED(true),
    OVERLOADED(true),
    SERVER_ERROR(true),
    TIMEOUT(true),
    /** The batch was cancelled before this request ran. */
    CANCELLED(true),
    /** The batch expired (or timed out) before this request ran. */
    EXPIRED(true),
    /**
     * The provider's results line for this request could not be read (not JSON, or not the expected shape):
     * its outcome is unknown, and it may have run and been paid for, so it is not sent again by itself.
     */
    MALFORMED_RESULT(false),
    UNKNOWN(false);

    private final boolean retryable;

    LlmErrorType(boolean retryable) {
        this.retryable = retryable;
    }

    /** True when the same request may succeed if sent again (in real time, or in a later batch). */
    public boolean retryable() {
        return retryable;
    }
}
