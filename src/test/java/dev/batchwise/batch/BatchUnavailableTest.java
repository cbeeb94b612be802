package dev.batchwise.batch;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.llm.Provider;
import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.Simulator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
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
 * Every batch endpoint of the provider failing (create, upload, list, ...): a run routed to batch in {@code auto}
 * mode goes to real time after {@code batch.submit-max-attempts} (5 in the test profile, 100 ms backoff) rather
 * than waiting for the provider, ends VERIFIED with every atom scored in real time, and its mode reason says why.
 * The look-ups for a batch a failed create may have made fail too; they count as attempts, so the job still ends.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class BatchUnavailableTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int MAX_ATTEMPTS = 5;

    @Inject
    Pool pool;

    private Simulator simulator;

    @Inject
    CircuitBreakerMaintenance breakers;

    @BeforeEach
    void batchEndpointsDown() {
        // a breaker left open by the test before (a storm of 529s) must not refuse this test's first retries
        breakers.resetAll();
        simulator = Simulator.save();
        // plain JSON answers, so every atom's real-time score is read (none unparseable)
        Simulator.configure(Map.of("batchEndpointErrorRate", 1.0, "fencedRate", 0, "proseRate", 0, "brokenRate", 0,
                "overloadedRate", 0, "itemErrorRate", 0));
    }

    @AfterEach
    void restore() {
        simulator.restore();
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void aRunFallsBackToRealTimeAfterBoundedSubmitAttemptsAndSaysWhy(Provider provider) {
        String p = provider.wireName();
        long created = Simulator.stat(p + ".batchesCreated");
        long errors = Simulator.stat(p + ".batchEndpointErrors");
        long realtime = Simulator.realtimeSends(provider);
        String runId = "run-" + UUID.randomUUID();
        BatchPathTest.post(runId, 21, provider);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                given().get("/api/runs/{runId}", runId).then().statusCode(200).body("status", equalTo("verified")));

        String reason = given().get("/api/runs/{runId}", runId).then()
                .body("mode", equalTo("batch"))
                .body("batchProgress.completed", equalTo(21))
                .body("batchProgress.failed", equalTo(0))
                .extract().path("modeReason");
        assertTrue(reason.startsWith("21 atoms > threshold 20 (BATCH_THRESHOLD); batch submit failed "
                + MAX_ATTEMPTS + " times ("), reason);
        assertTrue(reason.endsWith("), fell back to real time"), reason);

        List<String> sources = given().get("/api/runs/{runId}/atoms", runId).then().body("total", equalTo(21))
                .extract().jsonPath().getList("atoms.scoreSource", String.class);
        assertEquals(List.of("realtime"), sources.stream().distinct().toList(), sources.toString());

        Row job = rows("select status, provider_status, provider_batch_id, submit_attempts, last_error from batch_jobs"
                + " where reconciliation_run_id = $1", runId).get(0);
        assertEquals("FAILED", job.getString("status"));
        assertEquals("SUBMIT_FAILED", job.getString("provider_status"));
        assertEquals(MAX_ATTEMPTS, job.getInteger("submit_attempts"));
        assertNull(job.getString("provider_batch_id"));
        assertTrue(job.getString("last_error").startsWith("submit failed after " + MAX_ATTEMPTS + " attempts: "),
                job.getString("last_error"));
        assertEquals(21L, rows("select count(*) from batch_items i join batch_jobs j on j.id = i.job_id where"
                + " j.reconciliation_run_id = $1 and i.status = 'SUCCEEDED' and i.result_source = 'REALTIME'"
                + " and i.attempts = 1", runId).get(0).getLong(0), "each item sent once, in real time");

        // the first attempt's create, then one look-up per further attempt: bounded, and no batch left behind
        assertEquals(errors + MAX_ATTEMPTS, Simulator.stat(p + ".batchEndpointErrors"));
        assertEquals(created, Simulator.stat(p + ".batchesCreated"), "no provider batch was made");
        assertEquals(realtime + 21, Simulator.realtimeSends(provider), "each item sent once in real time");
    }

    private List<Row> rows(String sql, Object... args) {
        List<Row> rows = new ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.from(args)).await().atMost(WAIT).forEach(rows::add);
        return rows;
    }
}
