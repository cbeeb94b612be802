package dev.batchwise.batch;

import dev.batchwise.llm.BatchLlmService;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.Provider;
import dev.batchwise.messaging.Topics;
import dev.batchwise.settings.RuntimeSettings;
import dev.batchwise.status.Outbox;
import dev.batchwise.status.RunStage;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Prepare: a run's requests become jobs of at most {@code maxRequestsPerBatch} requests (as {@link RuntimeSettings}
 * has it when the run is prepared; never above the provider's limit) and under the provider's byte limit, one item
 * per atom, and one {@code verify.requested} per job, all in the caller's transaction, so a run is either prepared
 * whole or not at all. A job keeps its atoms in {@code planned_atoms}; its items are written when it is claimed for
 * submit ({@code JobStore.claimPrepared}), so the run's last part does not write every item of the run.
 */
@ApplicationScoped
public class BatchPreparer {

    /** One item's request (its subject: an atom, or a test); its custom id is replaced by the job's own. */
    public record PlannedRequest(UUID atomId, LlmRequest request) {
    }

    private final BatchLlmService batches;
    private final RuntimeSettings settings;
    private final Outbox outbox;

    BatchPreparer(BatchLlmService batches, RuntimeSettings settings, Outbox outbox) {
        this.batches = batches;
        this.settings = settings;
        this.outbox = outbox;
    }

    /** The ids of the jobs written for the run's {@code stage}, in chunk order. */
    public Uni<List<UUID>> prepare(SqlConnection tx, String runId, RunStage stage, Provider provider,
                                   List<PlannedRequest> planned) {
        return settings.batch(tx).flatMap(current -> prepare(tx, runId, stage, provider, planned,
                current.maxRequestsPerBatch().value()));
    }

    /**
     * As {@link #prepare(SqlConnection, String, RunStage, Provider, List)}, for requests none of which is larger than
     * {@code widest} (a request of the longest texts the subjects have): when the byte limit cannot bind, the jobs
     * are cut by count in PostgreSQL, from the ids {@code subjects} selects (a query of one column {@code id}, its
     * only parameter {@code $1} the run's id; numbered as they come: ordered by id, PostgreSQL sorted 100,000 ids on
     * disk, at twice the time), and {@code planned} is never called, so a 100,000-atom run's texts are not read
     * back and its requests not built (0.8 s of its last part's handling), nor its ids sent to the service and back;
     * otherwise as that method, with the requests {@code planned} reads.
     */
    public Uni<List<UUID>> prepare(SqlConnection tx, String runId, RunStage stage, Provider provider, LlmRequest widest,
                                   String subjects, Supplier<Uni<List<PlannedRequest>>> planned) {
        return settings.batch(tx).flatMap(current -> {
            int maxPerBatch = current.maxRequestsPerBatch().value();
            OptionalInt perBatch = batches.perBatchByCount(provider, widest, maxPerBatch);
            if (perBatch.isEmpty()) {
                return planned.get().flatMap(requests -> prepare(tx, runId, stage, provider, requests, maxPerBatch));
            }
            return tx.preparedQuery("insert into batch_jobs (id, provider, status, reconciliation_run_id, chunk_index,"
                            + " total_requests, planned_atoms, stage) select gen_random_uuid(), $2, 'PREPARED', $1, chunk,"
                            + " count(*), array_agg(id), $4 from (select id, (row_number() over () - 1) / $3::int as chunk"
                            + " from (" + subjects + ") subjects) numbered group by chunk returning id, chunk_index")
                    .execute(Tuple.of(runId, provider.name(), perBatch.getAsInt(), stage.name()))
                    .flatMap(rows -> {
                        UUID[] jobIds = new UUID[rows.size()];
                        rows.forEach(row -> jobIds[row.getInteger("chunk_index")] = row.getUUID("id"));
                        return Uni.join().all(requested(tx, runId, List.of(jobIds))).andCollectFailures()
                                .replaceWith(List.of(jobIds));
                    });
        });
    }

    private Uni<List<UUID>> prepare(SqlConnection tx, String runId, RunStage stage, Provider provider,
                                    List<PlannedRequest> planned, int maxPerBatch) {
        Map<String, UUID> atomOf = new HashMap<>();
        List<LlmRequest> requests = new ArrayList<>(planned.size());
        for (PlannedRequest p : planned) {
            String key = p.atomId().toString();
            atomOf.put(key, p.atomId());
            requests.add(p.request().withCustomId(key));
        }
        List<List<UUID>> chunks = batches.chunks(requests, provider, maxPerBatch).stream()
                .map(chunk -> chunk.stream().map(r -> atomOf.get(r.customId())).toList()).toList();
        return write(tx, runId, stage, provider, chunks);
    }

    /** A job per chunk of subjects, in chunk order, and its {@code verify.requested}. */
    private Uni<List<UUID>> write(SqlConnection tx, String runId, RunStage stage, Provider provider,
                                  List<List<UUID>> chunks) {
        List<UUID> jobIds = new ArrayList<>(chunks.size());
        List<Uni<Void>> writes = new ArrayList<>();
        for (int index = 0; index < chunks.size(); index++) {
            UUID jobId = UUID.randomUUID();
            jobIds.add(jobId);
            writes.add(insertJob(tx, jobId, runId, stage, provider, index, chunks.get(index)));
        }
        writes.addAll(requested(tx, runId, jobIds));
        // all at once: the connection pipelines them in this order, so the next statement is encoded and on its way
        // while PostgreSQL runs the one before
        return Uni.join().all(writes).andCollectFailures().replaceWith(jobIds);
    }

    /** Each job's {@code verify.requested}, in job order, as statements to join (and so pipeline) with the rest. */
    private List<Uni<Void>> requested(SqlConnection tx, String runId, List<UUID> jobIds) {
        List<Uni<Void>> writes = new ArrayList<>();
        for (UUID jobId : jobIds) {
            writes.add(Uni.createFrom().deferred(() -> outbox.add(tx, Topics.VERIFY_REQUESTED, runId,
                    new VerifyRequested(runId, jobId))));
        }
        return writes;
    }

    /** The job with the atoms it will hold, in item order; its items are written when it is claimed to submit. */
    private Uni<Void> insertJob(SqlConnection tx, UUID jobId, String runId, RunStage stage, Provider provider,
                                int index, List<UUID> atoms) {
        return Uni.createFrom().deferred(() -> tx.preparedQuery(
                        "insert into batch_jobs (id, provider, status, reconciliation_run_id, chunk_index, total_requests,"
                                + " planned_atoms, stage) values ($1, $2, 'PREPARED', $3, $4, $5, $6, $7)")
                .execute(Tuple.of(jobId, provider.name(), runId, index, atoms.size())
                        .addValue(atoms.toArray(UUID[]::new)).addValue(stage.name()))
                .replaceWithVoid());
    }
}
