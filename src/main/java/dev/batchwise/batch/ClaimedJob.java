package dev.batchwise.batch;

import dev.batchwise.llm.Provider;
import dev.batchwise.status.RunStage;
import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A job as one worker holds it: {@code claimToken} guards every write it makes, so a worker that lost its claim
 * (its lease ran out and another instance took the job) can change nothing.
 */
record ClaimedJob(UUID id, String runId, RunStage stage, Provider provider, JobStatus status, String providerBatchId,
                  int totalRequests, UUID claimToken, OffsetDateTime submittingAt, OffsetDateTime timeoutAt,
                  OffsetDateTime cancelRequestedAt, OffsetDateTime endedAt, OffsetDateTime collectedAt,
                  String providerStatus, int pollAttempts, int submitAttempts, int completedRequests,
                  int failedRequests) {

    static final String COLUMNS = "id, reconciliation_run_id, stage, provider, status, provider_batch_id, total_requests,"
            + " claim_token, submitting_at, timeout_at, cancel_requested_at, ended_at, collected_at, provider_status,"
            + " poll_attempts, submit_attempts, completed_requests, failed_requests";

    static ClaimedJob of(Row row) {
        return new ClaimedJob(row.getUUID("id"), row.getString("reconciliation_run_id"),
                RunStage.valueOf(row.getString("stage")),
                Provider.valueOf(row.getString("provider")), JobStatus.valueOf(row.getString("status")),
                row.getString("provider_batch_id"), row.getInteger("total_requests"), row.getUUID("claim_token"),
                row.getOffsetDateTime("submitting_at"), row.getOffsetDateTime("timeout_at"),
                row.getOffsetDateTime("cancel_requested_at"), row.getOffsetDateTime("ended_at"),
                row.getOffsetDateTime("collected_at"), row.getString("provider_status"),
                row.getInteger("poll_attempts"), row.getInteger("submit_attempts"),
                row.getInteger("completed_requests"), row.getInteger("failed_requests"));
    }

    ClaimedJob withStatus(JobStatus next, String nextProviderStatus, OffsetDateTime cancelled, OffsetDateTime ended) {
        return new ClaimedJob(id, runId, stage, provider, next, providerBatchId, totalRequests, claimToken, submittingAt,
                timeoutAt, cancelled, ended, collectedAt, nextProviderStatus, pollAttempts, submitAttempts,
                completedRequests, failedRequests);
    }

    /** The job after its results were all applied: it takes the state its provider batch ended in. */
    ClaimedJob collected(JobStatus end) {
        return new ClaimedJob(id, runId, stage, provider, end, providerBatchId, totalRequests, claimToken, submittingAt,
                timeoutAt, cancelRequestedAt, endedAt, OffsetDateTime.now(), providerStatus, pollAttempts,
                submitAttempts, completedRequests, failedRequests);
    }

    /** The job about to be submitted once more. */
    ClaimedJob submitAttempted() {
        return new ClaimedJob(id, runId, stage, provider, status, providerBatchId, totalRequests, claimToken,
                OffsetDateTime.now(), timeoutAt, cancelRequestedAt, endedAt, collectedAt, providerStatus, pollAttempts,
                submitAttempts + 1, completedRequests, failedRequests);
    }

    String describe() {
        return "job=" + id + " run=" + runId + (stage == RunStage.INFERRING ? " stage=inferring" : "") + " provider=" + provider.wireName()
                + (providerBatchId == null ? "" : " batch=" + providerBatchId);
    }
}
