package dev.batchwise.reconciliation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.llm.Provider;
import dev.batchwise.llm.realtime.RealtimeLlmService;
import dev.batchwise.scoring.AtomInferenceService;
import dev.batchwise.scoring.InferenceAnswer;
import dev.batchwise.messaging.Topics;
import dev.batchwise.testing.Db;
import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.Simulator;
import dev.batchwise.testing.TestFixture;
import dev.batchwise.testing.TestKafka;
import dev.batchwise.testing.TestFixture.FixtureTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The inference stage end to end, on the real broker, database and simulator: tests posted to
 * {@code /api/inference-runs} travel on {@code inference.requested}, their atoms are inferred (batch or real time),
 * published on {@code atoms.inferred} under the same runId, scored by VerifyNode, and the run ends VERIFIED.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class InferenceRunTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @Inject
    RealtimeLlmService realtime;

    private Simulator simulator;

    @BeforeEach
    void answersInEveryShape() {
        simulator = Simulator.save();
        Simulator.configure(Map.of("fencedRate", 0.25, "proseRate", 0.2, "brokenRate", 0.1, "batchFixedMs", 300,
                "batchPerItemMs", 0, "itemErrorRate", 0, "overloadedRate", 0, "neverFinish", false));
    }

    @AfterEach
    void restore() {
        simulator.restore();
    }

    /**
     * Golden: the same 40 tests inferred once through provider batches and once in real time give, test by test,
     * the same atoms (descriptions, categories, places in the answer, so the same tempIds for the same runId), and
     * both equal what {@link AtomInferenceService#read} makes of the simulator's raw answer. A tempId is derived
     * from (runId, testId, place), so across the two runs the ids differ only by their runId: each is checked
     * against that derivation.
     */
    @Test
    void batchAndRealTimeInferTheSameAtoms() {
        List<FixtureTest> tests = TestFixture.generate(40, 40);
        String batchRun = "infer-golden-batch-" + UUID.randomUUID();
        String realtimeRun = "infer-golden-realtime-" + UUID.randomUUID();
        post(batchRun, tests, "batch");
        post(realtimeRun, tests, "realtime");
        JsonPath batch = awaitVerified(batchRun);
        JsonPath inRealTime = awaitVerified(realtimeRun);
        assertEquals("batch", batch.getString("inference.mode"));
        assertEquals("realtime", inRealTime.getString("inference.mode"));
        assertEquals(40, batch.getInt("inference.testCount"));

        Map<String, List<String>> expected = rawAnswers(tests);
        Map<String, List<String>> byBatch = atomsByTest(batchRun);
        Map<String, List<String>> byRealtime = atomsByTest(realtimeRun);
        assertEquals(expected, byBatch, "batch run's atoms, test by test");
        assertEquals(expected, byRealtime, "real-time run's atoms, test by test");
        int atoms = expected.values().stream().mapToInt(List::size).sum();
        assertEquals(atoms, batch.getInt("atomCount"));
        assertTrue(atoms > 40, "1 to 4 atoms per test, most with more than one: " + atoms);
        // the atoms of both runs were scored too, each in the run's mode
        assertEquals(atoms, Db.number("select count(*) from atoms where run_id = ? and score_source in ('BATCH',"
                + " 'UNPARSEABLE')", batchRun));
        assertEquals(atoms, Db.number("select count(*) from atoms where run_id = ? and score_source in ('REALTIME',"
                + " 'UNPARSEABLE')", realtimeRun));
        assertEquals("batch", batch.getString("mode"));
        assertEquals("realtime", inRealTime.getString("mode"));
    }

    /**
     * End to end at the size of the plan's production run: 1,620 tests in batch mode, published in parts on
     * inference.requested; their atoms go on atoms.inferred and are scored in batch mode; the run ends VERIFIED with
     * both stages' cost; every test and every atom was sent in exactly one provider batch, once.
     */
    @Test
    void aProductionSizedInferenceRunIsInferredAndScoredInBatches() {
        Simulator.configure(Map.of("itemErrorRate", 0, "brokenRate", 0.02));
        List<FixtureTest> tests = TestFixture.generate(1620, 1620);
        String runId = "infer-e2e-" + UUID.randomUUID();
        long batchesBefore = Simulator.stat("anthropic.batchesCreated");
        long requestsBefore = Simulator.stat("anthropic.batchRequests");
        long realtimeBefore = Simulator.realtimeSends(Provider.ANTHROPIC);
        JsonPath run;
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> status = kafka.consumeStrings().fromTopics(Topics.RECONCILIATION_STATUS);
            int parts = given().contentType(ContentType.JSON)
                    .body(TestFixture.run(runId, tests, TestFixture.options().put("mode", "batch")
                            .put("provider", "anthropic")))
                    .post("/api/inference-runs").then().statusCode(202).extract().path("parts");
            assertTrue(parts > 1, "1,620 tests with their contexts travel in parts: " + parts);
            run = awaitVerified(runId);
            // the final status is announced after it is committed: wait for it on the topic
            await().atMost(WAIT).until(() -> stagesAndStatuses(status, runId).contains("verifying:verified"));
            List<String> seen = stagesAndStatuses(status, runId);
            status.stop();
            // each stage announced its batches, in order: inferring first, then verifying, then the end
            List<String> distinct = seen.stream().distinct().toList();
            int inferring = distinct.indexOf("inferring:batch_processing");
            int verifying = distinct.indexOf("verifying:batch_processing");
            assertTrue(inferring >= 0 && verifying > inferring
                    && distinct.indexOf("verifying:verified") == distinct.size() - 1, distinct.toString());
        }
        assertEquals(1620, run.getInt("inference.testCount"));
        assertEquals(1620, run.getInt("inference.inferred"));
        assertEquals(0, run.getInt("inference.failed"));
        assertEquals("batch", run.getString("inference.mode"));
        assertEquals("batch", run.getString("mode"));
        long expectedAtoms = Db.number("select coalesce(sum(jsonb_array_length(atoms)), 0) from inference_tests"
                + " where run_id = ?", runId);
        assertTrue(expectedAtoms > 1620, "atoms inferred: " + expectedAtoms);
        assertEquals(expectedAtoms, run.getInt("atomCount"));
        assertEquals(expectedAtoms, Db.number("select count(*) from atoms where run_id = ? and scored_at is not null",
                runId), "every atom has an outcome");

        // nothing submitted twice: one item per test and per atom, each sent once, in one batch per job
        long jobs = Db.number("select count(*) from batch_jobs where reconciliation_run_id = ?", runId);
        assertEquals(1, Db.number("select count(*) from batch_jobs where reconciliation_run_id = ? and stage ="
                + " 'INFERRING'", runId), "1,620 tests fit in one batch of at most 5,000");
        assertEquals(1620 + expectedAtoms, Db.number("select count(*) from batch_items i join batch_jobs j on"
                + " j.id = i.job_id where j.reconciliation_run_id = ? and i.status = 'SUCCEEDED' and i.attempts = 1",
                runId));
        assertEquals(jobs, Simulator.stat("anthropic.batchesCreated") - batchesBefore, "one provider batch per job");
        assertEquals(1620 + expectedAtoms, Simulator.stat("anthropic.batchRequests") - requestsBefore,
                "each test and each atom sent once");
        assertEquals(0, Simulator.realtimeSends(Provider.ANTHROPIC) - realtimeBefore, "nothing went to real time");

        // both stages' cost, from their own usage
        JsonPath cost = given().get("/api/runs/{runId}/cost", runId).then().statusCode(200).extract().jsonPath();
        assertEquals(1620, cost.getInt("byStage.inferring.answers"));
        assertEquals(expectedAtoms, cost.getLong("byStage.verifying.answers"));
        assertTrue(cost.getDouble("byStage.inferring.actualUsd") > 0, cost.prettify());
        assertTrue(cost.getDouble("byStage.verifying.actualUsd") > 0, cost.prettify());
        assertEquals(cost.getDouble("actualUsd"), cost.getDouble("byStage.inferring.actualUsd")
                + cost.getDouble("byStage.verifying.actualUsd"), 1e-6);
    }

    /** The run's status events on the topic so far, each as {@code stage:status}, in order. */
    private static List<String> stagesAndStatuses(ConsumerTask<String, String> status, String runId) {
        List<String> seen = new ArrayList<>();
        for (ConsumerRecord<String, String> record : status.getRecords()) {
            if (runId.equals(record.key())) {
                JsonPath event = new JsonPath(record.value());
                seen.add(event.getString("stage") + ":" + event.getString("status"));
            }
        }
        return seen;
    }

    /**
     * Individual retry serves the inference stage too: a fifth of the tests err inside their batch, are sent again
     * one by one in real time, and every test ends with its atoms; nothing was sent more often than it needed.
     */
    @Test
    void testsThatErrInsideTheirBatchAreRetriedOneByOne() {
        Simulator.configure(Map.of("itemErrorRate", 0.2, "brokenRate", 0));
        String runId = "infer-retry-" + UUID.randomUUID();
        post(runId, TestFixture.generate(50, 50), "batch");
        JsonPath run = awaitVerified(runId);
        assertEquals(50, run.getInt("inference.inferred"));
        assertEquals(0, run.getInt("inference.failed"));
        String items = "select count(*) from batch_items i join batch_jobs j on j.id = i.job_id"
                + " where j.reconciliation_run_id = ? and j.stage = 'INFERRING'";
        long retried = Db.number(items + " and i.result_source = 'REALTIME' and i.attempts = 2", runId);
        assertTrue(retried > 0, "some tests erred in the batch and were retried");
        assertEquals(50 - retried, Db.number(items + " and i.result_source = 'BATCH' and i.attempts = 1", runId));
        assertEquals(retried, Db.number("select count(*) from inference_tests where run_id = ?"
                + " and answer_source = 'REALTIME'", runId), "each retried test's answer came in real time");
        assertEquals(0, Db.number("select count(*) from inference_tests where run_id = ? and jsonb_array_length(atoms) = 0",
                runId), "every test has atoms");
    }

    /**
     * Fallback serves the inference stage too: with every batch endpoint failing, an inference run in auto mode goes
     * to real time after the bounded submit attempts, its inference mode reason says so, and it ends VERIFIED.
     */
    @Test
    void anInferenceRunFallsBackToRealTimeWhenBatchesAreUnavailable() {
        Simulator.configure(Map.of("batchEndpointErrorRate", 1.0, "brokenRate", 0));
        String runId = "infer-fallback-" + UUID.randomUUID();
        List<FixtureTest> tests = TestFixture.generate(21, 21);
        given().contentType(ContentType.JSON).body(TestFixture.run(runId, tests, null)).post("/api/inference-runs")
                .then().statusCode(202);
        JsonPath run = awaitVerified(runId);
        String reason = run.getString("inference.modeReason");
        assertTrue(reason.startsWith("21 tests > threshold 20 (BATCH_THRESHOLD); batch submit failed"), reason);
        assertTrue(reason.endsWith("fell back to real time"), reason);
        assertEquals("batch", run.getString("inference.mode"), "routed to batch; its job finished it in real time");
        assertEquals(21, Db.number("select count(*) from inference_tests where run_id = ? and answer_source ="
                + " 'REALTIME'", runId));
    }

    /**
     * What the simulator answers to each test's request, read here: per test, its atoms as
     * {@code index|description|category}. Tests whose answer is unreadable have none.
     */
    private Map<String, List<String>> rawAnswers(List<FixtureTest> tests) {
        List<LlmRequest> requests = new ArrayList<>();
        for (int i = 0; i < tests.size(); i++) {
            FixtureTest t = tests.get(i);
            requests.add(AtomInferenceService.request("t" + i, t.testId(), t.name(), t.context()));
        }
        List<LlmResult> results = realtime.completeAll(requests, 10, Provider.ANTHROPIC).collect().asList()
                .await().atMost(WAIT);
        Map<String, List<String>> answers = new HashMap<>();
        int recovered = 0;
        for (LlmResult result : results) {
            assertTrue(result.success(), result.toString());
            InferenceAnswer answer = AtomInferenceService.read(result.content());
            FixtureTest test = tests.get(Integer.parseInt(result.customId().substring(1)));
            List<String> atoms = new ArrayList<>();
            answer.atoms().forEach(a -> atoms.add(a.index() + "|" + a.description() + "|" + a.category()));
            if (!atoms.isEmpty()) {
                answers.put(test.testId(), atoms);
            }
            recovered += answer.readable() && !answer.repairs().isEmpty() ? 1 : 0;
        }
        assertTrue(recovered > 0, "some answers were fenced or wrapped in prose and read all the same");
        return answers;
    }

    /** The run's stored atoms per test, as {@code index|description|category}, each tempId checked on the way. */
    private static Map<String, List<String>> atomsByTest(String runId) {
        Map<String, List<String>> byTest = new HashMap<>();
        List<Map<String, Object>> rows = Db.rows("select a.temp_id, a.description, a.category, a.payload->>'testId'"
                + " as test_id from atoms a where a.run_id = ? order by a.temp_id", runId);
        for (Map<String, Object> row : rows) {
            String testId = (String) row.get("test_id");
            String tempId = (String) row.get("temp_id");
            int place = findPlace(runId, testId, tempId);
            byTest.computeIfAbsent(testId, k -> new ArrayList<>())
                    .add(place + "|" + row.get("description") + "|" + row.get("category"));
        }
        byTest.values().forEach(list -> list.sort(null));
        return byTest;
    }

    /** The place in the answer that {@code tempId} was derived from; fails when it matches none. */
    private static int findPlace(String runId, String testId, String tempId) {
        for (int place = 0; place < 16; place++) {
            if (AtomInferenceService.tempId(runId, testId, place).equals(tempId)) {
                return place;
            }
        }
        throw new AssertionError(tempId + " of test " + testId + " is not derived from (" + runId + ", testId, place)");
    }

    static void post(String runId, List<FixtureTest> tests, String mode) {
        ObjectNode options = TestFixture.options().put("mode", mode).put("provider", "anthropic");
        given().contentType(ContentType.JSON).body(TestFixture.run(runId, tests, options)).post("/api/inference-runs")
                .then().statusCode(202).body("runId", equalTo(runId));
    }

    static JsonPath awaitVerified(String runId) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                given().get("/api/runs/{runId}", runId).then().statusCode(200).body("status", equalTo("verified")));
        JsonPath run = given().get("/api/runs/{runId}", runId).then().extract().jsonPath();
        assertEquals("verifying", run.getString("stage"));
        assertNotNull(run.getString("inference.inferredAt"));
        assertFalse(run.getString("inference.modeReason").isBlank());
        return run;
    }
}
