package dev.batchwise.batch;

import dev.batchwise.cost.Pricing;
import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.realtime.RealtimeLlmService;
import dev.batchwise.messaging.Topics;
import dev.batchwise.platform.Chunks;
import dev.batchwise.status.Outbox;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Retry items one by one: a job's items that errored, expired or were cancelled inside its batch (or never got
 * into one) go through the real-time path, each up to {@code batch.item-max-attempts} sends in all, its batch
 * included. Items the provider refused as invalid ended FAILED when collected and are not resent. When every item
 * is SUCCEEDED or FAILED, the job is done and {@code batch.completed} announces it.
 */
@ApplicationScoped
class ItemRetrier {

    private static final List<ItemStatus> RETRYING = List.of(ItemStatus.RETRYING);

    private final JobStore jobs;
    private final BatchWorkload workload;
    private final ItemWrites items;
    private final RealtimeLlmService realtime;
    private final BatchConfig config;
    private final LlmConfig llm;
    private final Outbox outbox;
    private final BatchMetrics metrics;
    private final JobCost cost;

    ItemRetrier(JobStore jobs, BatchWorkload workload, ItemWrites items, RealtimeLlmService realtime,
                BatchConfig config, LlmConfig llm, Outbox outbox, BatchMetrics metrics, JobCost cost) {
        this.jobs = jobs;
        this.workload = workload;
        this.items = items;
        this.realtime = realtime;
        this.config = config;
        this.llm = llm;
        this.outbox = outbox;
        this.metrics = metrics;
        this.cost = cost;
    }

    Uni<Void> retry(ClaimedJob job) {
        return jobs.pool().withTransaction(tx -> jobs.renew(tx, job)
                        .flatMap(ignored -> giveUp(tx, job))
                        .flatMap(ignored -> tx.preparedQuery("update batch_items set status = 'RETRYING',"
                                        + " attempts = attempts + 1, updated_at = now()"
                                        + " where job_id = $1 and status in ('PENDING', 'ERRORED', 'RETRYING')"
                                        + " returning atom_id, custom_id")
                                .execute(Tuple.of(job.id()))))
                .flatMap(rows -> {
                    List<BatchWorkload.WorkItem> retried = new ArrayList<>(rows.size());
                    rows.forEach(row -> retried.add(new BatchWorkload.WorkItem(row.getUUID("atom_id"),
                            row.getString("custom_id"))));
                    if (retried.isEmpty()) {
                        return finish(job);
                    }
                    Log.infof("%s %d items go to real time", job.describe(), retried.size());
                    return jobs.renewing(job, sendInRealTime(job, retried)).flatMap(ignored -> retry(job));
                });
    }

    /** Items sent as often as allowed end FAILED, with their last error as the reason. */
    private Uni<Void> giveUp(SqlConnection tx, ClaimedJob job) {
        return tx.preparedQuery("update batch_items set status = 'FAILED', updated_at = now(),"
                        + " error = 'gave up after ' || attempts || ' attempts: ' || coalesce(error, 'no answer')"
                        + " where job_id = $1 and status in ('PENDING', 'ERRORED', 'RETRYING') and attempts >= $2"
                        + " returning atom_id, error_type, error")
                .execute(Tuple.of(job.id(), config.itemMaxAttempts()))
                .flatMap(rows -> {
                    List<BatchWorkload.ItemOutcome> failed = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        dev.batchwise.llm.LlmErrorType type = row.getString("error_type") == null
                                ? dev.batchwise.llm.LlmErrorType.UNKNOWN
                                : dev.batchwise.llm.LlmErrorType.valueOf(row.getString("error_type"));
                        failed.add(new BatchWorkload.ItemOutcome(row.getUUID("atom_id"),
                                dev.batchwise.llm.LlmResult.failed(null, type, row.getString("error")),
                                BatchWorkload.ResultSource.REALTIME));
                    }
                    return failed.isEmpty() ? Uni.createFrom().voidItem() : workload.apply(tx, job.stage(), failed);
                });
    }

    private Uni<Void> sendInRealTime(ClaimedJob job, List<BatchWorkload.WorkItem> retried) {
        return workload.requests(job.stage(), retried)
                .onItem().transformToMulti(requests -> Chunks.bySizeOrTime(realtime.completeAll(requests,
                        llm.realtime().concurrency(), job.provider()), 50, Duration.ofMillis(200)))
                .onItem().transformToUniAndConcatenate(results -> jobs.pool().withTransaction(tx -> jobs.renew(tx, job)
                        .flatMap(ignored -> items.apply(tx, job, results, BatchWorkload.ResultSource.REALTIME,
                                RETRYING))))
                .collect().last().replaceWithVoid();
    }

    /** Every item is SUCCEEDED or FAILED: the job is done, with its usage and cost summed, and announced. */
    private Uni<Void> finish(ClaimedJob job) {
        return jobs.pool().withTransaction(tx -> cost.of(tx, job).flatMap(price -> tx.preparedQuery(
                                "update batch_jobs j set completed_at = now(),"
                                + " claim_token = null, next_poll_at = null, updated_at = now(),"
                                + " completed_requests = s.succeeded, failed_requests = s.failed,"
                                + " input_tokens = s.input_tokens, output_tokens = s.output_tokens,"
                                + " cache_creation_tokens = s.cache_creation_tokens, cache_read_tokens = s.cache_read_tokens,"
                                + " cost_usd = $3, realtime_cost_usd = $4"
                                + " from (select count(*) filter (where status = 'SUCCEEDED') as succeeded,"
                                + " count(*) filter (where status = 'FAILED') as failed,"
                                + " coalesce(sum(input_tokens), 0) as input_tokens, coalesce(sum(output_tokens), 0) as output_tokens,"
                                + " coalesce(sum(cache_creation_tokens), 0) as cache_creation_tokens,"
                                + " coalesce(sum(cache_read_tokens), 0) as cache_read_tokens"
                                + " from batch_items where job_id = $1) s"
                                + " where j.id = $1 and j.claim_token = $2"
                                + " returning j.status, j.total_requests, j.provider_batch_id, s.succeeded, s.failed,"
                                + " s.input_tokens, s.output_tokens, s.cache_creation_tokens, s.cache_read_tokens")
                        .execute(Tuple.of(job.id(), job.claimToken(),
                                price.map(Pricing.Price::actualUsd).orElse(null),
                                price.map(Pricing.Price::realtimeUsd).orElse(null)))
                        .flatMap(rows -> {
                            if (rows.size() == 0) {
                                throw new LostClaimException(job.id());
                            }
                            Row row = rows.iterator().next();
                            BatchCompleted completed = new BatchCompleted(job.runId(), job.id(), job.provider().wireName(),
                                    row.getString("provider_batch_id"), JobStatus.valueOf(row.getString("status")),
                                    new BatchCompleted.Counts(row.getInteger("total_requests"),
                                            row.getLong("succeeded").intValue(), row.getLong("failed").intValue()),
                                    new BatchCompleted.Usage(row.getLong("input_tokens"), row.getLong("output_tokens"),
                                            row.getLong("cache_creation_tokens"), row.getLong("cache_read_tokens")),
                                    // null when the model has no prices: unknown, never a made-up number
                                    price.map(p -> p.actualUsd().setScale(6, RoundingMode.HALF_UP)).orElse(null),
                                    price.map(p -> p.realtimeUsd().setScale(6, RoundingMode.HALF_UP)).orElse(null));
                            Log.infof("%s done: %s, %d succeeded, %d failed", job.describe(), completed.status(),
                                    completed.counts().succeeded(), completed.counts().failed());
                            return outbox.add(tx, Topics.BATCH_COMPLETED, job.runId(), completed)
                                    .flatMap(ignored -> outbox.statusChanged(tx, job.runId()))
                                    .replaceWith(completed.status());
                        })))
                .invoke(status -> metrics.jobDone(job.provider(), status))
                .invoke(outbox::committed).replaceWithVoid();
    }
}
