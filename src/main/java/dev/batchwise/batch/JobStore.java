package dev.batchwise.batch;

import dev.batchwise.database.Database;
import dev.batchwise.llm.BatchJobStatus;
import dev.batchwise.llm.ProviderBatch;
import dev.batchwise.settings.RuntimeSettings;
import dev.batchwise.status.Outbox;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of batch jobs: claims, their leases, and the state moves of the lifecycle. Every move made by a worker
 * is guarded by its claim token, and the moves that announce something write the outbox in the same transaction.
 */
@ApplicationScoped
class JobStore {

    private final Database database;
    private final BatchConfig config;
    private final RuntimeSettings settings;
    private final BatchWorkload workload;
    private final Outbox outbox;

    JobStore(Database database, BatchConfig config, RuntimeSettings settings, BatchWorkload workload, Outbox outbox) {
        this.database = database;
        this.config = config;
        this.settings = settings;
        this.workload = workload;
        this.outbox = outbox;
    }

    Pool pool() {
        return database.pool();
    }

    private String lease() {
        return "now() + interval '" + config.claimLeaseMs() + " milliseconds'";
    }

    /** Rows per multi-row insert of items: well under PostgreSQL's 65,535 bind parameters. */
    private static final int ITEMS_PER_STATEMENT = 5000;

    /**
     * PREPARED -> SUBMITTING for the submitter; empty when the job is not PREPARED (already taken: a no-op). The
     * same transaction turns the job's planned atoms into its items, so a job past PREPARED always has them (a
     * submit that crashes finds them, as {@link SubmitRecovery} needs), and only one claim ever writes them.
     */
    Uni<ClaimedJob> claimPrepared(UUID jobId) {
        return database.pool().withTransaction(tx -> tx.preparedQuery("with planned as (select id, planned_atoms"
                                + " from batch_jobs where id = $1 and status = 'PREPARED' for update)"
                                + " update batch_jobs j set status = 'SUBMITTING', claim_token = $2,"
                                + " submitting_at = now(), submit_attempts = submit_attempts + 1, next_poll_at = "
                                + lease() + ", updated_at = now(), planned_atoms = null from planned"
                                + " where j.id = planned.id returning " + qualified("j") + ", planned.planned_atoms")
                .execute(Tuple.of(jobId, UUID.randomUUID()))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    Row row = rows.iterator().next();
                    ClaimedJob job = ClaimedJob.of(row);
                    // null for a job prepared before V9, whose items were written with it
                    UUID[] atoms = row.getArrayOfUUIDs("planned_atoms");
                    return atoms == null ? Uni.createFrom().item(job)
                            : insertItems(tx, job.id(), atoms).replaceWith(job);
                }));
    }

    /** The job's items, one per atom in order, custom ids {@code <prefix>-<index>}. */
    private static Uni<Void> insertItems(SqlConnection tx, UUID jobId, UUID[] atoms) {
        String prefix = CustomIdPrefix.of(jobId);
        List<Uni<Void>> inserts = new ArrayList<>();
        for (int from = 0; from < atoms.length; from += ITEMS_PER_STATEMENT) {
            int to = Math.min(atoms.length, from + ITEMS_PER_STATEMENT);
            UUID[] ids = new UUID[to - from];
            String[] customIds = new String[to - from];
            UUID[] atomIds = java.util.Arrays.copyOfRange(atoms, from, to);
            for (int i = from; i < to; i++) {
                ids[i - from] = UUID.randomUUID();
                customIds[i - from] = CustomIdPrefix.customId(prefix, i);
            }
            inserts.add(tx.preparedQuery("insert into batch_items (id, job_id, custom_id, atom_id)"
                            + " select u.id, $1, u.custom_id, u.atom_id"
                            + " from unnest($2::uuid[], $3::text[], $4::uuid[]) as u(id, custom_id, atom_id)")
                    .execute(Tuple.of(jobId, ids, customIds, atomIds)).replaceWithVoid());
        }
        return inserts.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(inserts).andCollectFailures().replaceWithVoid();
    }

    /** {@link ClaimedJob#COLUMNS} of table alias {@code alias}. */
    private static String qualified(String alias) {
        return java.util.Arrays.stream(ClaimedJob.COLUMNS.split(",")).map(c -> alias + "." + c.strip())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** Whether the job exists at all (a verify.requested for an unknown job is a bad record). */
    Uni<Boolean> exists(UUID jobId) {
        return database.pool().preparedQuery("select 1 from batch_jobs where id = $1").execute(Tuple.of(jobId))
                .map(rows -> rows.size() > 0);
    }

    /**
     * Claims the due jobs of this round: unfinished, past their {@code next_poll_at} (which is also the lease of a
     * claim, so a job whose worker died comes due again), skipping rows another instance is claiming right now.
     */
    Uni<List<ClaimedJob>> claimDue() {
        // one statement is atomic on its own: no BEGIN/COMMIT round trips on every poller round
        return database.pool().preparedQuery("update batch_jobs set claim_token = gen_random_uuid(),"
                        + " next_poll_at = " + lease() + ", updated_at = now() where id in (select id from batch_jobs"
                        + " where completed_at is null and status <> 'PREPARED' and next_poll_at <= now()"
                        + " order by next_poll_at limit $1 for update skip locked) returning " + ClaimedJob.COLUMNS)
                .execute(Tuple.of(config.claimsPerRound())).map(JobStore::all);
    }

    /** Extends the lease; fails with {@link LostClaimException} when the claim is gone. */
    Uni<Void> renew(SqlConnection conn, ClaimedJob job) {
        return conn.preparedQuery("update batch_jobs set next_poll_at = " + lease() + " where id = $1 and claim_token = $2")
                .execute(Tuple.of(job.id(), job.claimToken())).map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw new LostClaimException(job.id());
                    }
                    return null;
                });
    }

    Uni<Void> renew(ClaimedJob job) {
        return database.pool().withConnection(conn -> renew(conn, job));
    }

    /**
     * Runs {@code work} while renewing the job's lease every third of it, so a long step (a large upload, many
     * real-time retries) keeps its claim for as long as this instance lives, and loses it soon after it dies.
     */
    <T> Uni<T> renewing(ClaimedJob job, Uni<T> work) {
        return Uni.createFrom().deferred(() -> {
            Duration every = Duration.ofMillis(Math.max(50, config.claimLeaseMs() / 3));
            io.smallrye.mutiny.subscription.Cancellable ticker = io.smallrye.mutiny.Multi.createFrom().ticks().every(every)
                    .onItem().transformToUniAndConcatenate(tick -> renew(job).onFailure().recoverWithNull())
                    .subscribe().with(ignored -> { }, failure -> { });
            return work.onTermination().invoke(ticker::cancel);
        });
    }

    /** Gives the job back until {@code after}; its next step is due then. */
    Uni<Void> release(ClaimedJob job, Duration after, String lastError) {
        return guarded(database.pool(), job, "next_poll_at = now() + ($3 * interval '1 millisecond'), claim_token = null,"
                + " last_error = coalesce($4, last_error)", after.toMillis(), lastError);
    }

    /** One more submit attempt of a job found in SUBMITTING. */
    Uni<ClaimedJob> submitAttempted(ClaimedJob job) {
        return guarded(database.pool(), job, "submit_attempts = submit_attempts + 1, submitting_at = now()")
                .map(ignored -> job.submitAttempted());
    }

    /**
     * A submit attempt that failed before it got to the create (the look-up for a batch an earlier attempt may
     * have made): counted as an attempt, the job given back until {@code after}. {@code submitting_at} stays, so
     * the next look-up still covers the earlier attempt's create.
     */
    Uni<Void> attemptUsed(ClaimedJob job, Duration after, String lastError) {
        return guarded(database.pool(), job, "submit_attempts = submit_attempts + 1, claim_token = null,"
                + " next_poll_at = now() + ($3 * interval '1 millisecond'), last_error = $4", after.toMillis(), lastError);
    }

    /**
     * The provider accepted the batch: SUBMITTED (its items count this send when their results are applied). Its
     * timeout and first poll are the {@code timeoutMs} and {@code pollIntervalMs} that apply now (a change applies
     * to batches submitted after it).
     */
    Uni<Void> submitted(ClaimedJob job, ProviderBatch batch) {
        return database.pool().withTransaction(tx -> settings.batch(tx).flatMap(current -> guarded(tx, job,
                        "status = 'SUBMITTED', provider_batch_id = $3, provider_status = 'SUBMITTED', submitted_at = now(),"
                        + " timeout_at = now() + ($4 * interval '1 millisecond'),"
                        + " next_poll_at = now() + ($5 * interval '1 millisecond'), claim_token = null, poll_attempts = 0,"
                        + " last_error = null", batch.providerBatchId(), current.timeoutMs().value(),
                        current.pollIntervalMs().value()))
                .flatMap(ignored -> outbox.statusChanged(tx, job.runId())))
                .invoke(outbox::committed);
    }

    /**
     * The submit gave up: FAILED with nothing to collect, so its items go to real time; the run is told {@code why}
     * in the same transaction.
     */
    Uni<Void> submitGaveUp(ClaimedJob job, String reason, String why) {
        return database.pool().withTransaction(tx -> guarded(tx, job, "status = 'FAILED', provider_status = 'SUBMIT_FAILED',"
                        + " collected_at = now(), next_poll_at = now(), claim_token = null, last_error = $3", reason)
                .flatMap(ignored -> workload.fellBackToRealtime(tx, job.runId(), job.stage(), job.totalRequests(), why))
                .flatMap(ignored -> outbox.statusChanged(tx, job.runId())))
                .invoke(outbox::committed);
    }

    /** What the provider says now; announced when the counts or the state changed. */
    Uni<Void> polled(ClaimedJob job, JobStatus status, BatchJobStatus provider, boolean changed, Duration nextPoll) {
        return database.pool().withTransaction(tx -> guarded(tx, job, "status = $3, provider_status = $4, completed_requests = $5,"
                        + " failed_requests = $6, poll_attempts = 0, next_poll_at = now() + ($7 * interval '1 millisecond'),"
                        + " claim_token = null", status.name(), provider.status().name(), provider.totals().succeeded(),
                provider.totals().failed(), nextPoll.toMillis())
                .flatMap(ignored -> changed ? outbox.statusChanged(tx, job.runId()) : Uni.createFrom().voidItem()))
                .invoke(() -> {
                    if (changed) {
                        outbox.committed();
                    }
                });
    }

    /** A poll that did not get an answer: try again later, never fail the job for it. */
    Uni<Void> pollFailed(ClaimedJob job, Duration nextPoll, String error) {
        return guarded(database.pool(), job, "poll_attempts = poll_attempts + 1, next_poll_at = now() + ($3 * interval '1 millisecond'),"
                + " claim_token = null, last_error = $4", nextPoll.toMillis(), error);
    }

    /** The cancel was accepted: TIMED_OUT, polled on until the provider says the batch has ended. */
    Uni<ClaimedJob> cancelRequested(ClaimedJob job) {
        return database.pool().withTransaction(tx -> guarded(tx, job, "status = 'TIMED_OUT', cancel_requested_at = now()")
                .flatMap(ignored -> outbox.statusChanged(tx, job.runId())))
                .invoke(outbox::committed)
                .map(ignored -> job.withStatus(JobStatus.TIMED_OUT, job.providerStatus(), OffsetDateTime.now(),
                        job.endedAt()));
    }

    /** The provider batch has ended: COLLECTING. */
    Uni<ClaimedJob> ended(ClaimedJob job, BatchJobStatus provider) {
        return database.pool().withTransaction(tx -> guarded(tx, job, "status = 'COLLECTING', provider_status = $3, ended_at = now(),"
                        + " completed_requests = $4, failed_requests = $5", provider.status().name(),
                provider.totals().succeeded(), provider.totals().failed())
                .flatMap(ignored -> outbox.statusChanged(tx, job.runId())))
                .invoke(outbox::committed)
                .map(ignored -> job.withStatus(JobStatus.COLLECTING, provider.status().name(), job.cancelRequestedAt(),
                        OffsetDateTime.now()));
    }

    /** An update of the job guarded by its claim; fails with {@link LostClaimException} when the claim is gone. */
    static Uni<Void> guarded(io.vertx.mutiny.sqlclient.SqlClient client, ClaimedJob job, String set, Object... more) {
        Tuple args = Tuple.of(job.id(), job.claimToken());
        for (Object value : more) {
            args.addValue(value);
        }
        return client.preparedQuery("update batch_jobs set " + set + ", updated_at = now() where id = $1 and claim_token = $2")
                .execute(args).map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw new LostClaimException(job.id());
                    }
                    return null;
                });
    }

    private static ClaimedJob first(RowSet<Row> rows) {
        return rows.size() == 0 ? null : ClaimedJob.of(rows.iterator().next());
    }

    private static List<ClaimedJob> all(RowSet<Row> rows) {
        List<ClaimedJob> jobs = new ArrayList<>(rows.size());
        rows.forEach(row -> jobs.add(ClaimedJob.of(row)));
        return jobs;
    }
}
