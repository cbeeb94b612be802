package dev.batchwise.batch;

import dev.batchwise.llm.BatchLlmService;
import dev.batchwise.llm.BatchStatus;
import dev.batchwise.llm.LlmException;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.status.Outbox;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Collect: streams an ended batch's results and applies them by custom id, a chunk per transaction. Applying is
 * idempotent, so a crash half-way resumes where it stopped, and a results stream cut off mid-way is fetched again,
 * never taken for "the rest expired". Only when the stream has ended cleanly are the items without a result
 * marked ERRORED (they go to real time), and the job moves to the state the provider batch ended in.
 */
@ApplicationScoped
class BatchCollector {

    private static final List<ItemStatus> UNFINISHED = List.of(ItemStatus.PENDING, ItemStatus.ERRORED, ItemStatus.RETRYING);
    private static final int STREAM_ATTEMPTS = 5;

    private final JobStore jobs;
    private final BatchLlmService batches;
    private final ItemWrites items;
    private final BatchConfig config;
    private final BatchFaults faults;
    private final ItemRetrier retrier;
    private final Outbox outbox;

    BatchCollector(JobStore jobs, BatchLlmService batches, ItemWrites items, BatchConfig config, BatchFaults faults,
                   ItemRetrier retrier, Outbox outbox) {
        this.jobs = jobs;
        this.batches = batches;
        this.items = items;
        this.config = config;
        this.faults = faults;
        this.retrier = retrier;
        this.outbox = outbox;
    }

    Uni<Void> collect(ClaimedJob job) {
        // a batch that failed as a whole (OpenAI: validation) has no results to read
        boolean nothingToRead = job.providerBatchId() == null || BatchStatus.FAILED.name().equals(job.providerStatus());
        Uni<Integer> read = nothingToRead ? Uni.createFrom().item(0) : read(job);
        return read.flatMap(applied -> finish(job, applied)).flatMap(retrier::retry);
    }

    private Uni<Integer> read(ClaimedJob job) {
        AtomicInteger chunks = new AtomicInteger();
        AtomicInteger applied = new AtomicInteger();
        return Multi.createFrom().deferred(() -> batches.results(job.provider(), job.providerBatchId()))
                .group().intoLists().of(config.collectChunkSize())
                // one chunk applied at a time, in order, while the next one is read and parsed (prefetch): the
                // download and the database write overlap instead of taking turns
                .onItem().transformToUni(chunk -> applyChunk(job, chunk).map(changed -> {
                    applied.addAndGet(changed);
                    return chunks.incrementAndGet();
                })).concatenate(true)
                .onItem().transformToUniAndConcatenate(done -> stallWhenAsked(job, done))
                .collect().last()
                .onFailure(BatchCollector::retryable).invoke(failure -> Log.warnf(
                        "%s results stream broke off (%s); fetched again, applied items are kept", job.describe(),
                        failure.getMessage()))
                .onFailure(BatchCollector::retryable).retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(30))
                .atMost(STREAM_ATTEMPTS - 1)
                .map(ignored -> applied.get());
    }

    private Uni<Integer> applyChunk(ClaimedJob job, List<LlmResult> chunk) {
        return jobs.pool().withTransaction(tx -> jobs.renew(tx, job)
                .flatMap(ignored -> items.apply(tx, job, chunk, BatchWorkload.ResultSource.BATCH, UNFINISHED)));
    }

    private Uni<Integer> stallWhenAsked(ClaimedJob job, int chunksDone) {
        if (faults.stallAfterCollectedChunks() > 0 && chunksDone >= faults.stallAfterCollectedChunks()) {
            Log.errorf("fault batchwise.faults.stall-after-collected-chunks=%d: %s stops collecting here",
                    faults.stallAfterCollectedChunks(), job.describe());
            return Uni.createFrom().nothing();
        }
        return Uni.createFrom().item(chunksDone);
    }

    /** The stream ended cleanly: what has no result now never will; the job takes the batch's end state. */
    private Uni<ClaimedJob> finish(ClaimedJob job, int applied) {
        JobStatus end = endState(job);
        String missing = job.providerBatchId() == null ? "not submitted"
                : "no result from the provider (batch ended " + job.providerStatus() + ")";
        return jobs.pool().withTransaction(tx -> jobs.renew(tx, job)
                        .flatMap(ignored -> tx.preparedQuery("update batch_items set status = 'ERRORED',"
                                        + " error_type = 'EXPIRED', error = $2, updated_at = now(),"
                                        + " attempts = attempts + $3 where job_id = $1 and status = 'PENDING'")
                                // sent in the batch (and unanswered) unless the job never had one
                                .execute(Tuple.of(job.id(), missing, job.providerBatchId() == null ? 0 : 1)))
                        .flatMap(unanswered -> JobStore.guarded(tx, job, "status = $3, collected_at = now()", end.name())
                                .invoke(() -> Log.infof("%s collected: %d results applied, %d without a result; %s",
                                        job.describe(), applied, unanswered.rowCount(), end)))
                        .flatMap(ignored -> outbox.statusChanged(tx, job.runId())))
                .invoke(outbox::committed)
                .map(ignored -> job.collected(end));
    }

    /** TIMED_OUT when we cancelled it; otherwise what the provider says it ended as. */
    static JobStatus endState(ClaimedJob job) {
        if (job.cancelRequestedAt() != null) {
            return JobStatus.TIMED_OUT;
        }
        String provider = job.providerStatus() == null ? "" : job.providerStatus();
        return switch (provider) {
            case "COMPLETED" -> JobStatus.COMPLETED;
            case "EXPIRED" -> JobStatus.EXPIRED;
            case "CANCELLED" -> JobStatus.CANCELLED;
            default -> JobStatus.FAILED;
        };
    }

    private static boolean retryable(Throwable failure) {
        return failure instanceof LlmException e && e.retryable();
    }
}
