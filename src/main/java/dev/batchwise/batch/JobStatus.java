package dev.batchwise.batch;

/**
 * Where a batch job is: {@code PREPARED -> SUBMITTING -> SUBMITTED -> PROCESSING -> COLLECTING -> COMPLETED}, or
 * FAILED, EXPIRED, CANCELLED or TIMED_OUT. Each end state hands the job's unfinished items to the real-time path;
 * the job is done when {@code completed_at} is set (every item SUCCEEDED or FAILED). Stored by name.
 */
public enum JobStatus {
    PREPARED, SUBMITTING, SUBMITTED, PROCESSING, COLLECTING, COMPLETED, FAILED, EXPIRED, CANCELLED, TIMED_OUT;
}
