package dev.batchwise.cost;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchwise.testing.AtomFixture;
import dev.batchwise.testing.Db;
import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.Simulator;
import dev.batchwise.testing.TestKafka;
import dev.batchwise.messaging.Topics;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cost of runs against the simulator, checked against an independent computation: the tokens the database holds
 * per atom, priced here with provider-apis.md §1.13's Haiku 5.5 prices (written out below, not read from the code's
 * configuration), batch answers at half price.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class CostTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    // claude-haiku-5-5, prompt <= 100K tokens, USD per million: input, output, 1-hour cache write, cache read
    private static final double INPUT = 0.10;
    private static final double OUTPUT = 0.50;
    private static final double CACHE_WRITE = 0.20;
    private static final double CACHE_READ = 0.01;

    private Simulator simulator;

    @BeforeEach
    void quickBatches() {
        simulator = Simulator.save();
    }

    @AfterEach
    void restore() {
        simulator.restore();
    }

    @Test
    void batchRunCostsHalfItsRealTimeCounterfactual() {
        Simulator.configure(Map.of("batchFixedMs", 300, "batchPerItemMs", 0, "itemErrorRate", 0,
                "overloadedRate", 0, "neverFinish", false));
        String runId = "cost-batch-" + UUID.randomUUID();
        post(runId, "batch");
        awaitVerified(runId);

        Expected expected = expected(runId);
        assertEquals(60, expected.batchAnswers, "every atom answered in the batch");
        assertTrue(expected.realtime > 0, "the simulator reported usage");
        JsonPath cost = cost(runId);
        assertEquals(expected.actual, cost.getDouble("actualUsd"), 1e-6);
        assertEquals(expected.realtime, cost.getDouble("realtimeUsd"), 1e-6);
        assertEquals(0.5, cost.getDouble("actualUsd") / cost.getDouble("realtimeUsd"), 0.01);
        assertEquals(50.0, cost.getDouble("savingPercent"), 1.0);
        assertEquals(expected.realtime - expected.actual, cost.getDouble("savingUsd"), 1e-6);
        assertEquals(60, cost.getLong("byMode.batch.answers"));
        assertEquals(60, cost.getLong("byModel.claude-haiku-5-5.answers"));
        assertEquals(expected.input, cost.getLong("byModel.claude-haiku-5-5.inputTokens"));
        assertEquals(expected.output, cost.getLong("byModel.claude-haiku-5-5.outputTokens"));
        assertTrue(cost.getMap("byMode").keySet().equals(java.util.Set.of("batch")), cost.prettify());
        itemsAndJobsAddUpToTheRun(runId, expected);

        // the run is part of the sums over time
        JsonPath all = given().queryParam("from", "2000-01-01").queryParam("to", "2999-01-01T00:00:00Z")
                .get("/api/cost").then().statusCode(200).extract().jsonPath();
        assertTrue(all.getDouble("realtimeUsd") >= expected.realtime - 1e-6, all.prettify());

        // Prometheus series with provider, model and mode labels
        String metrics = given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        for (String series : List.of("batchwise_cost_tokens_total{", "batchwise_cost_usd_total{",
                "batchwise_cost_realtime_usd_total{", "batchwise_items_total{")) {
            assertTrue(metrics.lines().anyMatch(line -> line.startsWith(series) && line.contains("provider=\"anthropic\"")
                    && line.contains("model=\"claude-haiku-5-5\"") && line.contains("mode=\"batch\"")), series);
        }
        assertTrue(metrics.lines().anyMatch(line -> line.startsWith("batchwise_batch_jobs_total{")
                && line.contains("provider=\"anthropic\"") && line.contains("status=\"completed\"")), "jobs");
        assertTrue(metrics.lines().anyMatch(line -> line.startsWith("batchwise_batch_poll_seconds_count{")
                && line.contains("provider=\"anthropic\"")), "poll latency");
        assertTrue(metrics.lines().noneMatch(line -> line.startsWith("batchwise_") && line.contains(runId)), "no run id");
    }

    @Test
    void realTimeRetriesSaveLess() {
        Simulator.configure(Map.of("batchFixedMs", 300, "batchPerItemMs", 0, "itemErrorRate", 0.3,
                "overloadedRate", 0, "neverFinish", false));
        String runId = "cost-retries-" + UUID.randomUUID();
        post(runId, "batch");
        awaitVerified(runId);

        Expected expected = expected(runId);
        assertTrue(expected.realtimeAnswers > 0 && expected.batchAnswers > 0, expected.toString());
        JsonPath cost = cost(runId);
        assertEquals(expected.actual, cost.getDouble("actualUsd"), 1e-6);
        assertEquals(expected.realtime, cost.getDouble("realtimeUsd"), 1e-6);
        double percent = 100 * (expected.realtime - expected.actual) / expected.realtime;
        assertEquals(percent, cost.getDouble("savingPercent"), 0.01);
        assertTrue(percent < 49, "retries at full price save less than half: " + percent);
        assertEquals(expected.batchAnswers, cost.getLong("byMode.batch.answers"));
        assertEquals(expected.realtimeAnswers, cost.getLong("byMode.realtime.answers"));
        assertEquals(cost.getDouble("byMode.realtime.actualUsd"), cost.getDouble("byMode.realtime.realtimeUsd"), 1e-9);
        itemsAndJobsAddUpToTheRun(runId, expected);
    }

    /**
     * Cost per item (the atoms API) and per job (batch_jobs and each job's batch.completed) sum to the run's cost:
     * a retried item's job carries its real-time price.
     */
    private static void itemsAndJobsAddUpToTheRun(String runId, Expected expected) {
        List<Float> items = given().queryParam("limit", 1000).get("/api/runs/{runId}/atoms", runId).then()
                .statusCode(200).extract().jsonPath().getList("atoms.costUsd", Float.class);
        assertEquals(60, items.size());
        assertEquals(expected.actual, items.stream().mapToDouble(Float::doubleValue).sum(), 1e-4);
        assertEquals(expected.actual, Db.number("select sum(cost_usd) * 1000000 from batch_jobs"
                + " where reconciliation_run_id = ?", runId) / 1e6, 1e-5);
        assertEquals(expected.realtime, Db.number("select sum(realtime_cost_usd) * 1000000 from batch_jobs"
                + " where reconciliation_run_id = ?", runId) / 1e6, 1e-5);
        long jobs = Db.number("select count(*) from batch_jobs where reconciliation_run_id = ?", runId);
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> completed = kafka.consumeStrings().fromTopics(Topics.BATCH_COMPLETED);
            await().atMost(WAIT).until(() -> completed.getRecords().stream().filter(r -> runId.equals(r.key())).count() >= jobs);
            double announced = 0;
            for (var record : completed.getRecords()) {
                if (runId.equals(record.key())) {
                    announced += JsonPath.from(record.value()).getDouble("costUsd");
                }
            }
            completed.stop();
            assertEquals(expected.actual, announced, 1e-5);
        }
    }

    @Test
    void badQueriesNameTheProblem() {
        given().queryParam("from", "yesterday").get("/api/cost").then().statusCode(400)
                .contentType(ContentType.JSON).body("error", containsString("from")).body("status", equalTo(400));
        given().queryParam("to", "2026-13-01").get("/api/cost").then().statusCode(400)
                .contentType(ContentType.JSON).body("error", containsString("to must be"));
        given().queryParam("from", "2026-12-02").queryParam("to", "2026-12-01").get("/api/cost").then().statusCode(400)
                .body("error", containsString("from"));
        given().get("/api/runs/{runId}/cost", "no-such-run").then().statusCode(404)
                .contentType(ContentType.JSON).body("error", containsString("no-such-run"));
    }

    /** The cost of the run's answers from the tokens stored per atom, priced per answer here. */
    private static Expected expected(String runId) {
        Expected e = new Expected();
        for (Map<String, Object> atom : Db.rows("select answer_mode, model, input_tokens, output_tokens,"
                + " cache_creation_tokens, cache_read_tokens from atoms where run_id = ?", runId)) {
            assertEquals("claude-haiku-5-5", atom.get("model"), atom.toString());
            long in = ((Number) atom.get("input_tokens")).longValue();
            long out = ((Number) atom.get("output_tokens")).longValue();
            long write = ((Number) atom.get("cache_creation_tokens")).longValue();
            long read = ((Number) atom.get("cache_read_tokens")).longValue();
            assertTrue(in + write + read <= 100_000, "the fixture's prompts are in the short band");
            double full = (in * INPUT + out * OUTPUT + write * CACHE_WRITE + read * CACHE_READ) / 1e6;
            boolean batch = "BATCH".equals(atom.get("answer_mode"));
            if (batch) {
                e.batchAnswers++;
            } else if ("REALTIME".equals(atom.get("answer_mode"))) {
                e.realtimeAnswers++;
            }
            e.realtime += full;
            e.actual += batch ? full / 2 : full;
            e.input += in;
            e.output += out;
        }
        return e;
    }

    private static final class Expected {
        double actual;
        double realtime;
        long batchAnswers;
        long realtimeAnswers;
        long input;
        long output;

        @Override
        public String toString() {
            return "actual " + actual + ", realtime " + realtime + ", " + batchAnswers + " batch, " + realtimeAnswers
                    + " real-time answers";
        }
    }

    private static JsonPath cost(String runId) {
        return given().get("/api/runs/{runId}/cost", runId).then().statusCode(200).extract().jsonPath();
    }

    private static void post(String runId, String mode) {
        ObjectNode options = AtomFixture.options().put("mode", mode).put("provider", "anthropic");
        given().contentType(ContentType.JSON).body(AtomFixture.run(runId, AtomFixture.generate(60, 60), options))
                .post("/api/runs").then().statusCode(202);
    }

    private static void awaitVerified(String runId) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                given().get("/api/runs/{runId}", runId).then().statusCode(200).body("status", equalTo("verified")));
    }
}
