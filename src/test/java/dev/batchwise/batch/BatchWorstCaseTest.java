package dev.batchwise.batch;

import static dev.batchwise.batch.BatchPathTest.awaitVerified;
import static dev.batchwise.batch.BatchPathTest.post;
import static dev.batchwise.batch.BatchPathTest.postBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.llm.BatchLlmService;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.llm.Provider;
import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.Simulator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The batch path against the providers at their worst (the simulator's knobs): batches that never end, expire
 * or fail, a cancel that drains, transient 5xx storms, cut downloads and broken result lines. Every run still
 * ends VERIFIED, and what the provider answered is never paid for twice: an item whose answer the provider has
 * (read back from the provider here) is applied from the batch, and only the others are sent in real time.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
@TestProfile(SmallBatches.class)
class BatchWorstCaseTest {

    private static final Duration WAIT = BatchPathTest.WAIT;

    @Inject
    Pool pool;

    @Inject
    BatchLlmService batches;

    private Simulator simulator;

    @Inject
    CircuitBreakerMaintenance breakers;

    @BeforeEach
    void wellBehaved() {
        // a breaker left open by the test before (a storm of 529s) must not refuse this test's first retries
        breakers.resetAll();
        simulator = Simulator.save();
        Simulator.configure(Map.of("batchFixedMs", 300, "batchPerItemMs", 0, "itemErrorRate", 0, "neverFinish", false,
                "overloadedRate", 0, "failBatches", false));
    }

    @AfterEach
    void restore() {
        simulator.restore();
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void aBatchThatNeverEndsIsCancelledAtTheTimeoutAndWhatFinishedDuringTheDrainIsKept(Provider provider) {
        // never ends: stalls after half of its 10 requests (1 s each), so it is still running at the 4 s timeout,
        // and the 1.5 s drain after the cancel lets the fifth one finish
        Simulator.configure(Map.of("batchFixedMs", 0, "batchPerItemMs", 1000, "neverFinish", true,
                "cancelDrainMs", 1500));
        String runId = "run-" + UUID.randomUUID();
        long cancels = Simulator.stat(provider.wireName() + ".cancels");
        long realtime = Simulator.realtimeSends(provider);
        postBatch(runId, 10, provider);
        awaitVerified(runId);

        assertEquals(cancels + 1, Simulator.stat(provider.wireName() + ".cancels"), "cancelled at the provider once");
        assertEquals("TIMED_OUT", jobStatus(runId));
        assertOnlyTheUnansweredWentToRealTime(runId, provider, realtime);
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void anExpiredBatchKeepsItsPartialResultsAndTheRestFinishesInRealTime(Provider provider) {
        Simulator.configure(Map.of("batchFixedMs", 0, "batchPerItemMs", 300, "expireAfterMs", 1500));
        String runId = "run-" + UUID.randomUUID();
        long realtime = Simulator.realtimeSends(provider);
        postBatch(runId, 10, provider);
        awaitVerified(runId);

        assertEquals("EXPIRED", jobStatus(runId));
        assertOnlyTheUnansweredWentToRealTime(runId, provider, realtime);
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void aFailedBatchSendsItsItemsToRealTime(Provider provider) {
        Simulator.configure(Map.of("failBatches", true));
        String runId = "run-" + UUID.randomUUID();
        long realtime = Simulator.realtimeSends(provider);
        post(runId, 25, provider);
        awaitVerified(runId);

        assertEquals(Map.of("REALTIME", 25L), sources(runId));
        assertEquals(realtime + 25, Simulator.realtimeSends(provider), "each item sent once in real time");
        assertEquals(25L, rows("select count(*) from batch_items i join batch_jobs j on j.id = i.job_id"
                + " where j.reconciliation_run_id = $1 and i.attempts = 2", runId).get(0).getLong(0),
                "each item sent once in its batch and once in real time");
        // OpenAI fails the batch as a whole; Anthropic ends it with every item errored
        Set<String> expected = Set.of(provider == Provider.OPENAI ? "FAILED" : "COMPLETED");
        assertEquals(expected, new HashSet<>(jobStatuses(runId)));
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void aStormOfTransientErrorsOnTheBatchEndpointsDelaysTheRunAndFailsNoBatch(Provider provider) {
        Simulator.configure(Map.of("batchEndpointErrorRate", 0.3));
        String runId = "run-" + UUID.randomUUID();
        long errors = Simulator.stat(provider.wireName() + ".batchEndpointErrors");
        long created = Simulator.stat(provider.wireName() + ".batchesCreated");
        long realtime = Simulator.stat(provider.wireName() + ".realtimeCalls");
        post(runId, 25, provider);
        awaitVerified(runId);

        assertTrue(Simulator.stat(provider.wireName() + ".batchEndpointErrors") > errors, "the storm happened");
        assertEquals(List.of("COMPLETED", "COMPLETED", "COMPLETED"), jobStatuses(runId));
        assertEquals(created + 3, Simulator.stat(provider.wireName() + ".batchesCreated"), "one provider batch per job");
        assertEquals(realtime, Simulator.stat(provider.wireName() + ".realtimeCalls"), "nothing fell back to real time");
        assertEquals(Map.of("BATCH", 25L), sources(runId));
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void aResultsDownloadCutOffMidWayIsFetchedAgainNotTakenAsTheEnd(Provider provider) {
        Simulator.configure(Map.of("resultsCutAfterLines", 3));
        String runId = "run-" + UUID.randomUUID();
        long downloads = Simulator.stat(provider.wireName() + ".resultsDownloads");
        long realtime = Simulator.stat(provider.wireName() + ".realtimeCalls");
        post(runId, 25, provider);
        awaitVerified(runId);

        assertEquals(Map.of("BATCH", 25L), sources(runId));
        assertEquals(realtime, Simulator.stat(provider.wireName() + ".realtimeCalls"));
        assertTrue(Simulator.stat(provider.wireName() + ".resultsDownloads") >= downloads + 6,
                "each of the 3 jobs' results was downloaded again after the cut");
    }

    @Test
    void aMalformedResultsLineFailsThatItemAloneWithAReason() {
        Simulator.configure(Map.of("malformedLineRate", 0.2));
        String runId = "run-" + UUID.randomUUID();
        post(runId, 30, Provider.ANTHROPIC);
        awaitVerified(runId);

        List<Row> failed = rows("select i.error, i.error_type, a.score_source from batch_items i join batch_jobs j"
                + " on j.id = i.job_id join atoms a on a.id = i.atom_id where j.reconciliation_run_id = $1"
                + " and i.status = 'FAILED'", runId);
        assertTrue(!failed.isEmpty(), "the simulator broke some lines (seeded)");
        for (Row row : failed) {
            assertEquals("MALFORMED_RESULT", row.getString("error_type"));
            assertTrue(row.getString("error").contains("malformed results line"), row.getString("error"));
            assertEquals("FAILED", row.getString("score_source"));
        }
        long succeeded = rows("select count(*) from batch_items i join batch_jobs j on j.id = i.job_id"
                + " where j.reconciliation_run_id = $1 and i.status = 'SUCCEEDED' and i.result_source = 'BATCH'", runId)
                .get(0).getLong(0);
        assertEquals(30, succeeded + failed.size(), "every other line was applied");
    }

    /**
     * Reads each job's results back from the provider: exactly the items it answered are applied from the batch,
     * and the real-time calls made are exactly the rest.
     */
    private void assertOnlyTheUnansweredWentToRealTime(String runId, Provider provider, long realtimeBefore) {
        long realtimeAfter = Simulator.realtimeSends(provider);
        Set<String> answered = new HashSet<>();
        for (Row job : rows("select provider_batch_id from batch_jobs where reconciliation_run_id = $1", runId)) {
            batches.results(provider, job.getString(0)).filter(LlmResult::success).map(LlmResult::customId)
                    .collect().asList().await().atMost(WAIT).forEach(answered::add);
        }
        Set<String> fromBatch = new HashSet<>();
        Set<String> fromRealtime = new HashSet<>();
        for (Row item : rows("select i.custom_id, i.result_source, i.status from batch_items i join batch_jobs j"
                + " on j.id = i.job_id where j.reconciliation_run_id = $1", runId)) {
            assertEquals("SUCCEEDED", item.getString("status"));
            (("BATCH".equals(item.getString("result_source"))) ? fromBatch : fromRealtime).add(item.getString("custom_id"));
        }
        assertTrue(!answered.isEmpty() && !fromRealtime.isEmpty(), "partly answered: " + answered.size());
        assertEquals(answered, fromBatch, "what the provider answered is applied from the batch");
        assertEquals(fromRealtime.size(), realtimeAfter - realtimeBefore, "real-time calls are the unanswered rest only");
        assertEquals(fromRealtime.size(), rows("select count(*) from batch_items i join batch_jobs j on j.id = i.job_id"
                + " where j.reconciliation_run_id = $1 and i.attempts = 2", runId).get(0).getLong(0));
    }

    private String jobStatus(String runId) {
        return jobStatuses(runId).get(0);
    }

    private List<String> jobStatuses(String runId) {
        return rows("select status from batch_jobs where reconciliation_run_id = $1 order by chunk_index", runId)
                .stream().map(r -> r.getString(0)).toList();
    }

    private Map<String, Long> sources(String runId) {
        Map<String, Long> sources = new java.util.HashMap<>();
        rows("select i.result_source, count(*) from batch_items i join batch_jobs j on j.id = i.job_id"
                + " where j.reconciliation_run_id = $1 and i.status = 'SUCCEEDED' group by 1", runId)
                .forEach(r -> sources.put(r.getString(0), r.getLong(1)));
        return sources;
    }

    private List<Row> rows(String sql, Object... args) {
        List<Row> rows = new ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.from(args)).await().atMost(WAIT).forEach(rows::add);
        return rows;
    }
}
