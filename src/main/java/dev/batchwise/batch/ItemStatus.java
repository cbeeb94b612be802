package dev.batchwise.batch;

/**
 * One request of a job: {@code PENDING -> SUCCEEDED}, or {@code ERRORED -> RETRYING -> SUCCEEDED | FAILED}.
 * FAILED always carries a reason. Stored by name.
 */
public enum ItemStatus {
    PENDING, SUCCEEDED, ERRORED, RETRYING, FAILED
}
