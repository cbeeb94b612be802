package dev.batchwise.batch;

/**
 * Where a batch job is: {@code PREPARED -> SUBMITTING -> SUBMITTED -> PROCESSING -> COLLECTING -> COMPLETED}, or
 * FAILED, EXPIRED, CANCELLED or TIMED_OUT. Each end state hands the job's unfinished items to the real-time path;
 * the job is done when {@code completed_at} is set (every item SUCCEEDED or FAILED). Stored by name.
 */
public enum JobStatus {
    PREPARED, SUBMITTING, SUBMITTED, PROCESSING, COLLECTING, COMPLETED, FAILED, EXPIRED, CANCELLED, TIMED_OUT;

    /** The provider batch is still running (TIMED_OUT: cancelled, and polled until the provider says it ended). */
    boolean isPolled() {
        return this == SUBMITTED || this == PROCESSING || this == TIMED_OUT;
    }

    /** The provider batch (if any) is over; what is left is retrying items one by one. */
    boolean isEnd() {
        return this == COMPLETED || this == FAILED || this == EXPIRED || this == CANCELLED || this == TIMED_OUT;
    }
}
