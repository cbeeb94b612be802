package dev.batchwise.batch;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.llm.Provider;
import dev.batchwise.messaging.Topics;
import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.Simulator;
import dev.batchwise.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs through provider batches, against the simulator at its best and at its worst, through the real broker and
 * database: chunking, individual retry of failed items, and what is checked in the database afterwards (every
 * item SUCCEEDED or FAILED with a reason, one provider batch per job, nothing sent twice).
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
@TestProfile(SmallBatches.class)
class BatchPathTest {

    static final Duration WAIT = Duration.ofSeconds(40);

    @Inject
    Pool pool;

    private Simulator simulator;

    @Inject
    CircuitBreakerMaintenance breakers;

    @BeforeEach
    void fastBatches() {
        // a breaker left open by the test before (a storm of 529s) must not refuse this test's first retries
        breakers.resetAll();
        simulator = Simulator.save();
        Simulator.configure(Map.of("batchFixedMs", 300, "batchPerItemMs", 0, "itemErrorRate", 0, "neverFinish", false,
                "overloadedRate", 0));
    }

    @AfterEach
    void restore() {
        simulator.restore();
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void aLargeRunGoesThroughProviderBatchesInChunks(Provider provider) {
        String runId = "run-" + UUID.randomUUID();
        long batches = Simulator.stat(provider.wireName() + ".batchesCreated");
        long realtime = Simulator.stat(provider.wireName() + ".realtimeCalls");
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> completed = kafka.consumeStrings().fromTopics(Topics.BATCH_COMPLETED);
            post(runId, 25, provider);
            awaitVerified(runId);
            await().atMost(WAIT).until(() -> completed.getRecords().stream().filter(r -> runId.equals(r.key())).count() >= 3);
            assertEquals(3, completed.getRecords().stream().filter(r -> runId.equals(r.key())).count(),
                    "one batch.completed per job");
            completed.stop();
        }
        given().get("/api/runs/{runId}", runId).then()
                .body("mode", equalTo("batch"))
                .body("modeReason", equalTo("25 atoms > threshold 20 (BATCH_THRESHOLD)"))
                .body("provider", equalTo(provider.wireName()))
                .body("batchProgress.submitted", equalTo(25))
                .body("batchProgress.completed", equalTo(25))
                .body("batchProgress.failed", equalTo(0));
        assertEquals(List.of(10, 10, 5), jobSizes(runId));
        assertEquals(Map.of("SUCCEEDED", 25L), itemStatuses(runId));
        assertEquals(batches + 3, Simulator.stat(provider.wireName() + ".batchesCreated"), "one provider batch per job");
        assertEquals(realtime, Simulator.stat(provider.wireName() + ".realtimeCalls"), "nothing sent in real time");
        List<String> sources = given().get("/api/runs/{runId}/atoms", runId).then().extract().jsonPath()
                .getList("atoms.scoreSource", String.class);
        assertTrue(sources.stream().allMatch(s -> s.equals("batch") || s.equals("unparseable")), sources.toString());
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void itemsThatErrorInsideTheBatchSucceedOneByOneInRealTime(Provider provider) {
        Simulator.configure(Map.of("itemErrorRate", 0.05));
        String runId = "run-" + UUID.randomUUID();
        long realtime = Simulator.realtimeSends(provider);
        long calls = Simulator.stat(provider.wireName() + ".realtimeCalls");
        post(runId, 60, provider);
        awaitVerified(runId);

        assertEquals(Map.of("SUCCEEDED", 60L), itemStatuses(runId));
        long retried = count("select count(*) from batch_items i join batch_jobs j on j.id = i.job_id"
                + " where j.reconciliation_run_id = $1 and i.result_source = 'REALTIME'", runId);
        assertTrue(retried > 0, "the simulator errored some items (seeded), and they were retried");
        assertEquals(realtime + retried, Simulator.realtimeSends(provider),
                "exactly the errored items went to real time, once each; calls " + calls + " -> "
                        + Simulator.stat(provider.wireName() + ".realtimeCalls") + "; items " + rows("select i.custom_id,"
                        + " i.attempts, i.result_source, i.status from batch_items i join batch_jobs j on j.id = i.job_id"
                        + " where j.reconciliation_run_id = $1 and i.attempts > 1", runId).stream()
                        .map(r -> r.getString(0) + "/" + r.getInteger(1) + "/" + r.getString(2)).toList());
        // sent once in the batch, then in real time
        assertEquals(retried, count("select count(*) from batch_items i join batch_jobs j on j.id = i.job_id"
                + " where j.reconciliation_run_id = $1 and i.result_source = 'REALTIME' and i.attempts >= 2", runId));
    }

    @Test
    void itemsWhoseRetryFailsTooEndFailedWithAReasonAndTheRestApply() {
        Simulator.configure(Map.of("itemErrorRate", 0.2, "overloadedRate", 1.0));
        String runId = "run-" + UUID.randomUUID();
        post(runId, 30, Provider.ANTHROPIC);
        awaitVerified(runId);

        Map<String, Long> statuses = itemStatuses(runId);
        assertTrue(statuses.getOrDefault("FAILED", 0L) > 0, statuses.toString());
        assertEquals(30L, statuses.getOrDefault("FAILED", 0L) + statuses.getOrDefault("SUCCEEDED", 0L), statuses.toString());
        List<Row> failed = rows("select i.error, a.score_source, a.error as atom_error from batch_items i"
                + " join batch_jobs j on j.id = i.job_id join atoms a on a.id = i.atom_id"
                + " where j.reconciliation_run_id = $1 and i.status = 'FAILED'", runId);
        for (Row row : failed) {
            assertTrue(row.getString("error").startsWith("gave up after 3 attempts: "), row.getString("error"));
            assertEquals("FAILED", row.getString("score_source"));
            assertEquals(row.getString("error"), row.getString("atom_error"));
        }
        given().get("/api/runs/{runId}", runId).then()
                .body("batchProgress.failed", equalTo(statuses.get("FAILED").intValue()))
                .body("batchProgress.completed", equalTo(statuses.get("SUCCEEDED").intValue()));
        // score, don't gate: failed atoms are listed too, after the scored ones
        given().get("/api/runs/{runId}/atoms", runId).then().body("total", equalTo(30));
    }

    static void post(String runId, int atoms, Provider provider) {
        given().contentType(ContentType.JSON).body(run(runId, atoms, "\"provider\": \"" + provider.wireName() + "\""))
                .post("/api/runs").then().statusCode(202);
    }

    /** A run forced into batch mode, whatever its size. */
    static void postBatch(String runId, int atoms, Provider provider) {
        given().contentType(ContentType.JSON).body(run(runId, atoms, "\"provider\": \"" + provider.wireName()
                        + "\", \"mode\": \"batch\"")).post("/api/runs").then().statusCode(202);
    }

    static String run(String runId, int atoms, String options) {
        return "{\"runId\":\"" + runId + "\",\"options\":{" + options + "},\"atoms\":[" + IntStream.range(0, atoms)
                .mapToObj(i -> "{\"tempId\":\"a-" + i + "\",\"description\":\"A user can do thing " + i
                        + " and sees it done\",\"category\":\"functional\"}")
                .collect(Collectors.joining(",")) + "]}";
    }

    static void awaitVerified(String runId) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                given().get("/api/runs/{runId}", runId).then().statusCode(200).body("status", equalTo("verified")));
    }

    List<Integer> jobSizes(String runId) {
        return rows("select total_requests from batch_jobs where reconciliation_run_id = $1 order by chunk_index", runId)
                .stream().map(r -> r.getInteger(0)).toList();
    }

    Map<String, Long> itemStatuses(String runId) {
        Map<String, Long> statuses = new HashMap<>();
        rows("select i.status, count(*) from batch_items i join batch_jobs j on j.id = i.job_id"
                + " where j.reconciliation_run_id = $1 group by i.status", runId)
                .forEach(r -> statuses.put(r.getString(0), r.getLong(1)));
        return statuses;
    }

    long count(String sql, String runId) {
        return rows(sql, runId).get(0).getLong(0);
    }

    List<Row> rows(String sql, Object... args) {
        List<Row> rows = new java.util.ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.from(args)).await().atMost(WAIT).forEach(rows::add);
        return rows;
    }
}
