package dev.batchwise.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.batchwise.llm.BatchLlmService;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.Provider;
import dev.batchwise.llm.ProviderBatch;
import dev.batchwise.scoring.QualityPrompt;
import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.Simulator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A job left in SUBMITTING by an instance that died: the provider may or may not have accepted its batch. The
 * state such a crash leaves is written here directly (a run, its atoms, its job and items, and, for the crash
 * after the accept, the provider batch itself); the poller must find the batch rather than submit a second one.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
@TestProfile(SmallBatches.class)
class SubmitRecoveryTest {

    private static final Duration WAIT = BatchPathTest.WAIT;

    @Inject
    Pool pool;

    @Inject
    BatchLlmService batches;

    private Simulator simulator;

    @BeforeEach
    void slowEnoughBatches() {
        simulator = Simulator.save();
        Simulator.configure(Map.of("batchFixedMs", 1500, "batchPerItemMs", 0, "itemErrorRate", 0, "neverFinish", false));
    }

    @AfterEach
    void restore() {
        simulator.restore();
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void aBatchAcceptedBeforeTheCrashIsAdoptedNotSubmittedAgain(Provider provider) {
        String runId = "run-" + UUID.randomUUID();
        // two jobs of the same size, both accepted before the crash: each must find its own batch
        Crashed first = crashedJob(runId, provider, 0, 5);
        Crashed second = crashedJob(runId, provider, 1, 5);
        String firstBatch = acceptAtProvider(provider, first);
        String secondBatch = acceptAtProvider(provider, second);
        long created = Simulator.stat(provider.wireName() + ".batchesCreated");

        expireLeases(runId);
        BatchPathTest.awaitVerified(runId);

        assertEquals(created, Simulator.stat(provider.wireName() + ".batchesCreated"), "no second provider batch");
        assertEquals(firstBatch, providerBatchOf(first.jobId()));
        assertEquals(secondBatch, providerBatchOf(second.jobId()));
        assertEquals(10L, count("select count(*) from batch_items i join batch_jobs j on j.id = i.job_id"
                + " where j.reconciliation_run_id = $1 and i.status = 'SUCCEEDED' and i.attempts = 1"
                + " and i.result_source = 'BATCH'", runId));
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void aJobTheProviderNeverAcceptedIsSubmittedOnce(Provider provider) {
        String runId = "run-" + UUID.randomUUID();
        Crashed job = crashedJob(runId, provider, 0, 4);
        long created = Simulator.stat(provider.wireName() + ".batchesCreated");

        expireLeases(runId);
        BatchPathTest.awaitVerified(runId);

        assertEquals(created + 1, Simulator.stat(provider.wireName() + ".batchesCreated"));
        assertEquals(4L, count("select count(*) from batch_items where job_id = '" + job.jobId()
                + "' and status = 'SUCCEEDED' and attempts = 1", null));
    }

    /** A job as a crash during its submit leaves it: SUBMITTING, with its items, and a lease still running. */
    private record Crashed(UUID jobId, List<LlmRequest> requests) {
    }

    private Crashed crashedJob(String runId, Provider provider, int chunk, int size) {
        execute("insert into reconciliation_runs (run_id, status, mode, provider, atom_count) values ($1,"
                + " 'BATCH_PROCESSING', 'BATCH', $2, 0) on conflict do nothing", runId, provider.name());
        UUID jobId = UUID.randomUUID();
        execute("insert into batch_jobs (id, provider, status, reconciliation_run_id, chunk_index, total_requests,"
                + " submitting_at, next_poll_at, submit_attempts) values ($1, $2, 'SUBMITTING', $3, $4, $5, now(),"
                + " now() + interval '1 hour', 1)", jobId, provider.name(), runId, chunk, size);
        String prefix = CustomIdPrefix.of(jobId);
        List<LlmRequest> requests = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            UUID atomId = UUID.randomUUID();
            String description = "Atom " + chunk + "-" + i + " of a crashed submit";
            execute("insert into atoms (id, run_id, temp_id, description, category, payload) values ($1, $2, $3, $4,"
                    + " 'functional', '{}'::jsonb)", atomId, runId, "t-" + chunk + "-" + i, description);
            String customId = CustomIdPrefix.customId(prefix, i);
            execute("insert into batch_items (id, job_id, custom_id, atom_id) values ($1, $2, $3, $4)",
                    UUID.randomUUID(), jobId, customId, atomId);
            requests.add(new LlmRequest(customId, QualityPrompt.SYSTEM, QualityPrompt.user(description, "functional"),
                    null, QualityPrompt.MAX_TOKENS, null, true));
        }
        execute("update reconciliation_runs set atom_count = atom_count + $2 where run_id = $1", runId, size);
        return new Crashed(jobId, requests);
    }

    /** What the crashed instance did just before it died: the provider accepted the job's batch. */
    private String acceptAtProvider(Provider provider, Crashed job) {
        ProviderBatch batch = batches.submitOne(provider, job.requests(),
                Map.of(BatchSubmitter.JOB_ID_METADATA, job.jobId().toString())).await().atMost(WAIT);
        return batch.providerBatchId();
    }

    /** The crashed instance's leases run out: the jobs are due for any instance to take over. */
    private void expireLeases(String runId) {
        execute("update batch_jobs set next_poll_at = now() where reconciliation_run_id = $1", runId);
    }

    private String providerBatchOf(UUID jobId) {
        return pool.preparedQuery("select provider_batch_id from batch_jobs where id = $1").execute(Tuple.of(jobId))
                .await().atMost(WAIT).iterator().next().getString(0);
    }

    private long count(String sql, String runId) {
        Tuple args = runId == null ? Tuple.tuple() : Tuple.of(runId);
        return pool.preparedQuery(sql).execute(args).await().atMost(WAIT).iterator().next().getLong(0);
    }

    private void execute(String sql, Object... args) {
        pool.preparedQuery(sql).execute(Tuple.from(args)).await().atMost(WAIT);
    }
}
