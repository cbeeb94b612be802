package dev.batchwise.batch;

import dev.batchwise.llm.BatchLlmService;
import dev.batchwise.llm.LlmException;
import dev.batchwise.llm.ProviderBatch;
import dev.batchwise.messaging.InvalidRecordException;
import dev.batchwise.messaging.JsonRecords;
import dev.batchwise.messaging.RecordHandling;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Submit: consumes {@code verify.requested} and turns the job into exactly one provider batch,
 * PREPARED -> SUBMITTING -> SUBMITTED. A redelivered record finds the job no longer PREPARED and does nothing. A
 * transient provider failure is retried with backoff; when the attempts run out, or the provider refuses the
 * batch, the job's items go to real time. A crash after the provider accepted the batch and before its id was
 * stored is repaired by {@link SubmitRecovery}, which looks for the batch before it submits again.
 */
@ApplicationScoped
public class BatchSubmitter {

    public static final String CHANNEL = "verify-requested-in";
    /** The key under which OpenAI keeps our job id in a batch's metadata. */
    static final String JOB_ID_METADATA = "batchwise_job_id";

    private final JsonRecords records;
    private final JobStore jobs;
    private final BatchWorkload workload;
    private final BatchLlmService batches;
    private final BatchConfig config;
    private final BatchFaults faults;

    BatchSubmitter(JsonRecords records, JobStore jobs, BatchWorkload workload, BatchLlmService batches,
                   BatchConfig config, BatchFaults faults) {
        this.records = records;
        this.jobs = jobs;
        this.workload = workload;
        this.batches = batches;
        this.config = config;
        this.faults = faults;
    }

    @Incoming(CHANNEL)
    public Uni<Void> onVerifyRequested(String value) {
        return RecordHandling.handle("verify.requested", () -> records.read(value, VerifyRequested.class),
                request -> "job=" + request.jobId(),
                request -> jobs.claimPrepared(request.jobId())
                        .flatMap(job -> job != null ? submit(job) : alreadyTaken(request)));
    }

    private Uni<Void> alreadyTaken(VerifyRequested request) {
        return jobs.exists(request.jobId()).map(exists -> {
            if (!exists) {
                throw new InvalidRecordException("jobId: no batch job " + request.jobId() + " (run " + request.runId() + ")");
            }
            Log.debugf("job=%s is no longer PREPARED: verify.requested redelivered, nothing to do", request.jobId());
            return null;
        });
    }

    /**
     * Submits a job this worker has claimed in SUBMITTING (first time, or again after a crash or a failed
     * attempt). A transient failure is not retried blindly: the provider may have created the batch before it
     * failed to answer, so the job stays SUBMITTING and comes back through {@link SubmitRecovery}, which looks
     * for the batch first. When {@code batch.submit-max-attempts} are used up, or the provider refuses the batch,
     * the job's items go to real time.
     */
    Uni<Void> submit(ClaimedJob job) {
        Map<String, String> metadata = Map.of(JOB_ID_METADATA, job.id().toString());
        return items(job).flatMap(items -> workload.requests(job.stage(), items))
                .flatMap(requests -> jobs.renewing(job, batches.submitOne(job.provider(), requests, metadata)))
                .flatMap(batch -> stored(job, batch))
                .onFailure(failure -> !(failure instanceof LostClaimException)).recoverWithUni(failure -> {
                    int attempt = job.submitAttempts();
                    boolean retryable = failure instanceof LlmException e && e.retryable();
                    if (retryable && attempt < config.submitMaxAttempts()) {
                        Duration wait = backoff(attempt);
                        Log.warnf("%s submit attempt %d/%d failed (%s); looked for at the provider and tried again"
                                + " in %d ms", job.describe(), attempt, config.submitMaxAttempts(), failure.getMessage(),
                                wait.toMillis());
                        return jobs.release(job, wait, "submit attempt " + attempt + ": " + failure.getMessage());
                    }
                    return giveUp(job, failure.getMessage());
                })
                .onFailure(LostClaimException.class).recoverWithItem(failure -> {
                    Log.infof("%s: %s", job.describe(), failure.getMessage());
                    return null;
                });
    }

    /** The provider has the batch: store its id, retrying the write as long as it takes (never resubmitting). */
    private Uni<Void> stored(ClaimedJob job, ProviderBatch batch) {
        Log.infof("%s accepted as batch=%s (%d requests)", job.describe(), batch.providerBatchId(), batch.requestCount());
        if (faults.haltAfterProviderAccept()) {
            Log.error("fault batchwise.faults.halt-after-provider-accept: halting before the batch id is stored");
            Runtime.getRuntime().halt(137);
        }
        return jobs.submitted(job, batch)
                .onFailure(failure -> !(failure instanceof LostClaimException)).invoke(failure ->
                        Log.warnf("%s batch=%s accepted but not stored yet, retrying: %s", job.describe(),
                                batch.providerBatchId(), failure.toString()))
                .onFailure(failure -> !(failure instanceof LostClaimException)).retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely();
    }

    /**
     * No more attempts (or the provider refused the batch): the job FAILED with nothing to collect, its items go to
     * real time, and the run's mode reason says why.
     */
    Uni<Void> giveUp(ClaimedJob job, String lastError) {
        int attempt = job.submitAttempts();
        String reason = "submit failed after " + attempt + " attempt" + (attempt == 1 ? "" : "s") + ": " + lastError;
        Log.warnf("%s %s; its %d items go to real time", job.describe(), reason, job.totalRequests());
        String why = "batch submit failed" + (attempt == 1 ? "" : " " + attempt + " times") + " (" + shorten(lastError) + ")";
        return jobs.submitGaveUp(job, reason, why);
    }

    /** A provider's error can be long (a body quoted whole); a mode reason stays one readable line. */
    private static String shorten(String error) {
        String line = error == null ? "no message" : error.replaceAll("\\s+", " ").strip();
        return line.length() <= 200 ? line : line.substring(0, 199) + "…";
    }

    Duration backoff(int attempt) {
        long ms = config.submitBackoffMs() << Math.min(attempt - 1, 10);
        return Duration.ofMillis(Math.min(ms, 30_000));
    }

    private Uni<List<BatchWorkload.WorkItem>> items(ClaimedJob job) {
        return jobs.pool().preparedQuery("select atom_id, custom_id from batch_items where job_id = $1 order by created_at, custom_id")
                .execute(Tuple.of(job.id())).map(rows -> {
                    List<BatchWorkload.WorkItem> items = new ArrayList<>(rows.size());
                    rows.forEach(row -> items.add(new BatchWorkload.WorkItem(row.getUUID("atom_id"), row.getString("custom_id"))));
                    return items;
                });
    }
}
