package dev.batchwise.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.batchwise.database.Database;
import dev.batchwise.status.TimeRemaining;
import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The run's time remaining as {@link BatchRuns#remaining} reads it from stored jobs: history of similar batches at
 * the same provider where the provider counts nothing, the job's own rate where it does. Jobs of sizes no other test
 * uses (around 77,000 and 33,000 requests), so that the history is only what this test wrote.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class BatchRunsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Database database;

    @Inject
    BatchRuns batchRuns;

    @Test
    void fromTheMedianOfSimilarEndedBatchesMinusTheTimeSoFar() {
        // three ended Anthropic batches of about this size took 600, 700 and 900 s (median 700)
        String history = run();
        job(history, 0, "ANTHROPIC", "COMPLETED", 77_000, 0, "now() - interval '2 hours'", "600 seconds");
        job(history, 1, "ANTHROPIC", "COMPLETED", 80_000, 0, "now() - interval '2 hours'", "700 seconds");
        job(history, 2, "ANTHROPIC", "COMPLETED", 76_000, 0, "now() - interval '2 hours'", "900 seconds");
        // not similar: another provider, a failed batch, another size
        job(history, 3, "OPENAI", "COMPLETED", 77_000, 0, "now() - interval '2 hours'", "10 seconds");
        job(history, 4, "ANTHROPIC", "FAILED", 77_000, 0, "now() - interval '2 hours'", "5 seconds");
        job(history, 5, "ANTHROPIC", "COMPLETED", 200_000, 0, "now() - interval '2 hours'", "5 seconds");

        String running = run();
        job(running, 0, "ANTHROPIC", "SUBMITTED", 77_777, 0, "now() - interval '100 seconds'", null);
        // 700 - 100 s
        assertEquals("~10 minutes", remaining(running));

        String late = run();
        job(late, 0, "ANTHROPIC", "SUBMITTED", 77_777, 0, "now() - interval '1000 seconds'", null);
        assertEquals(TimeRemaining.UNKNOWN, remaining(late), "past what similar batches took: no basis");
    }

    @Test
    void fromTheJobsOwnRateWhereTheProviderCountsAndUnknownWithoutAnyBasis() {
        String counting = run();
        // 1,000 of 33,000 in 60 s: 32,000 more at 0.06 s = 1,920 s (32 minutes)
        job(counting, 0, "OPENAI", "PROCESSING", 33_000, 1_000, "now() - interval '60 seconds'", null);
        assertEquals("~32 minutes", remaining(counting));

        String nothing = run();
        job(nothing, 0, "OPENAI", "SUBMITTED", 33_333, 0, "now() - interval '60 seconds'", null);
        assertEquals(TimeRemaining.UNKNOWN, remaining(nothing), "no counts and no similar batch");
    }

    /** The runs and their jobs go (cascade), so that no other test meets these made-up jobs. */
    @AfterEach
    void removeTheRuns() {
        database.pool().query("delete from reconciliation_runs where run_id like 'eta-%'").execute().await().atMost(WAIT);
    }

    private String remaining(String runId) {
        return TimeRemaining.describe(batchRuns.remaining(runId, dev.batchwise.status.RunStage.VERIFYING).await().atMost(WAIT));
    }

    private String run() {
        String runId = "eta-" + UUID.randomUUID();
        database.pool().preparedQuery("insert into reconciliation_runs (run_id, status, mode, atom_count)"
                + " values ($1, 'BATCH_PROCESSING', 'BATCH', 0)").execute(Tuple.of(runId)).await().atMost(WAIT);
        return runId;
    }

    /** A job submitted at {@code submittedAt} (SQL), ended {@code took} later (an interval, or null: not ended). */
    private void job(String runId, int chunk, String provider, String status, int total, int completed,
                     String submittedAt, String took) {
        String ended = took == null ? "null" : submittedAt + " + interval '" + took + "'";
        database.pool().preparedQuery("insert into batch_jobs (id, provider, status, reconciliation_run_id,"
                        + " chunk_index, total_requests, completed_requests, submitted_at, ended_at) values ($1, $2, $3,"
                        + " $4, $5, $6, $7, " + submittedAt + ", " + ended + ")")
                .execute(Tuple.of(UUID.randomUUID(), provider, status, runId, chunk, total).addValue(completed))
                .await().atMost(WAIT);
    }
}
