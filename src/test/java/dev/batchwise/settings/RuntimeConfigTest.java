package dev.batchwise.settings;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.Simulator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
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
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The row {@code default} of {@code llm_configurations} over the environment, through the real broker, database
 * and simulator: read per run (no restart), shown with its source by {@code GET /api/config}, checked by {@code PUT}.
 * Each test deletes the row afterwards, so the other tests of this JVM see the environment's values.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class RuntimeConfigTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    Pool pool;

    private Simulator simulator;

    @BeforeEach
    void fastBatches() {
        deleteRow();
        simulator = Simulator.save();
        Simulator.configure(Map.of("batchFixedMs", 300, "batchPerItemMs", 0, "itemErrorRate", 0, "neverFinish", false,
                "batchEndpointErrorRate", 0));
    }

    @AfterEach
    void reset() {
        deleteRow();
        simulator.restore();
    }

    @Test
    void theThresholdRoutesRunsAndAStoredThresholdAppliesToTheNextRunWithoutARestart() {
        given().get("/api/config").then().statusCode(200)
                .body("keySet()", equalTo(java.util.Set.of("batch", "updatedAt")))
                .body("batch.keySet()", equalTo(java.util.Set.of("enabled", "threshold", "pollIntervalMs", "timeoutMs",
                        "maxRequestsPerBatch")))
                .body("batch.threshold.keySet()", equalTo(java.util.Set.of("value", "source", "environmentValue",
                        "variable")))
                .body("batch.threshold.value", equalTo(20))
                .body("batch.threshold.source", equalTo("environment"))
                .body("batch.threshold.variable", equalTo("BATCH_THRESHOLD"))
                .body("updatedAt", nullValue());

        String twenty = post(20);
        String twentyOne = post(21);
        awaitVerified(twenty);
        awaitVerified(twentyOne);
        given().get("/api/runs/{runId}", twenty).then()
                .body("mode", equalTo("realtime")).body("modeReason", equalTo("20 atoms <= threshold 20 (BATCH_THRESHOLD)"));
        given().get("/api/runs/{runId}", twentyOne).then()
                .body("mode", equalTo("batch")).body("modeReason", equalTo("21 atoms > threshold 20 (BATCH_THRESHOLD)"));
        assertEquals(1, jobs(twentyOne).size());

        put("{\"batch\": {\"threshold\": 30}}").then().statusCode(200)
                .body("batch.threshold.value", equalTo(30))
                .body("batch.threshold.source", equalTo("database"))
                .body("batch.threshold.environmentValue", equalTo(20))
                .body("batch.enabled.value", equalTo(true))
                .body("batch.enabled.source", equalTo("environment"))
                .body("updatedAt", notNullValue());
        given().get("/api/config").then().statusCode(200)
                .body("batch.threshold.value", equalTo(30)).body("batch.threshold.source", equalTo("database"))
                .body("batch.maxRequestsPerBatch.source", equalTo("environment"));

        String again = post(21);
        awaitVerified(again);
        given().get("/api/runs/{runId}", again).then()
                .body("mode", equalTo("realtime")).body("modeReason", equalTo("21 atoms <= threshold 30 (llm_configurations)"));
        assertEquals(0, jobs(again).size(), "no batch job for a run under the stored threshold");
    }

    @Test
    void storedSwitchAndBatchSizeApplyAndAPutReplacesTheRowSoLeftOutFieldsFallBack() {
        put("{\"batch\": {\"enabled\": false}}").then().statusCode(200)
                .body("batch.enabled.value", equalTo(false)).body("batch.enabled.source", equalTo("database"));
        String disabled = post(21);
        awaitVerified(disabled);
        given().get("/api/runs/{runId}", disabled).then()
                .body("mode", equalTo("realtime"))
                .body("modeReason", equalTo("batch disabled (batch.enabled=false in llm_configurations)"));

        // enabled is left out now: it is the environment's again
        put("{\"batch\": {\"maxRequestsPerBatch\": 10, \"timeoutMs\": 7200000, \"pollIntervalMs\": null}}")
                .then().statusCode(200)
                .body("batch.enabled.value", equalTo(true)).body("batch.enabled.source", equalTo("environment"))
                .body("batch.maxRequestsPerBatch.value", equalTo(10))
                .body("batch.maxRequestsPerBatch.source", equalTo("database"))
                .body("batch.pollIntervalMs.source", equalTo("environment"));
        String chunked = post(25);
        awaitVerified(chunked);
        List<Row> jobs = jobs(chunked);
        assertEquals(List.of(10, 10, 5), jobs.stream().map(r -> r.getInteger("total_requests")).toList());
        for (Row job : jobs) {
            assertEquals(7_200_000L, job.getLong("timeout_ms"), "the stored timeoutMs set the job's timeout");
        }
    }

    @Test
    void aBadPutIsA400NamingTheFieldAndTheRangeAndStoresNothing() {
        Map<String, String> bad = Map.ofEntries(
                Map.entry("{\"batch\": {\"threshold\": -1}}", "batch.threshold must be an integer from 0 to 100000 (was -1)"),
                Map.entry("{\"batch\": {\"threshold\": \"30\"}}", "batch.threshold must be an integer from 0 to 100000 (was \"30\")"),
                Map.entry("{\"batch\": {\"threshold\": 30.5}}", "batch.threshold must be an integer from 0 to 100000 (was 30.5)"),
                Map.entry("{\"batch\": {\"pollIntervalMs\": 50}}", "batch.pollIntervalMs must be an integer from 100 to 3600000 (was 50)"),
                Map.entry("{\"batch\": {\"timeoutMs\": 999}}", "batch.timeoutMs must be an integer from 1000 to 86400000 (was 999)"),
                Map.entry("{\"batch\": {\"maxRequestsPerBatch\": 100001}}",
                        "batch.maxRequestsPerBatch must be an integer from 1 to 100000, the anthropic limit (was 100001)"),
                Map.entry("{\"batch\": {\"enabled\": \"yes\"}}", "batch.enabled must be true or false (was \"yes\")"),
                Map.entry("{\"batch\": {\"treshold\": 30}}", "unknown field 'batch.treshold' (allowed: enabled, threshold,"
                        + " pollIntervalMs, timeoutMs, maxRequestsPerBatch)"),
                Map.entry("{\"batsh\": {}}", "unknown field 'batsh' (allowed: batch)"),
                Map.entry("{\"batch\": 30}", "batch must be an object (was 30)"),
                Map.entry("[]", "body must be a JSON object, e.g. {\"batch\": {\"threshold\": 30}}"),
                Map.entry("{\"batch\": {\"threshold\": 30, \"timeoutMs\": 0}}",
                        "batch.timeoutMs must be an integer from 1000 to 86400000 (was 0)"),
                Map.entry("{\"batch\": {\"threshold\": -5, \"enabled\": 1}}",
                        "batch.enabled must be true or false (was 1); batch.threshold must be an integer from 0 to 100000 (was -5)"));
        bad.forEach((body, error) -> put(body).then().statusCode(400)
                .body("error", equalTo(error)).body("status", equalTo(400)));
        put("not json").then().statusCode(400).body("error", startsWith("body is not JSON"));

        assertEquals(0, pool.preparedQuery("select count(*) from llm_configurations").execute()
                .await().atMost(WAIT).iterator().next().getLong(0), "nothing stored");
        given().get("/api/config").then().body("batch.threshold.source", equalTo("environment"));
    }

    @Test
    void aBadValueWrittenByHandIsSkippedAndTheRestApplies() {
        pool.preparedQuery("insert into llm_configurations (name, config) values ('default',"
                        + " '{\"batch\": {\"threshold\": \"lots\", \"timeoutMs\": 5000}}'::jsonb)")
                .execute().await().atMost(WAIT);
        given().get("/api/config").then().statusCode(200)
                .body("keySet()", equalTo(java.util.Set.of("batch", "updatedAt")))
                .body("batch.keySet()", equalTo(java.util.Set.of("enabled", "threshold", "pollIntervalMs", "timeoutMs",
                        "maxRequestsPerBatch")))
                .body("batch.threshold.keySet()", equalTo(java.util.Set.of("value", "source", "environmentValue",
                        "variable")))
                .body("batch.threshold.value", equalTo(20)).body("batch.threshold.source", equalTo("environment"))
                .body("batch.timeoutMs.value", equalTo(5000)).body("batch.timeoutMs.source", equalTo("database"));
    }

    private static io.restassured.response.Response put(String body) {
        return given().contentType(ContentType.JSON).body(body).put("/api/config");
    }

    private static String post(int atoms) {
        String runId = "run-" + UUID.randomUUID();
        String body = "{\"runId\":\"" + runId + "\",\"atoms\":[" + IntStream.range(0, atoms)
                .mapToObj(i -> "{\"tempId\":\"a-" + i + "\",\"description\":\"A user can do thing " + i
                        + " and sees it done\",\"category\":\"functional\"}")
                .collect(Collectors.joining(",")) + "]}";
        given().contentType(ContentType.JSON).body(body).post("/api/runs").then().statusCode(202);
        return runId;
    }

    private static void awaitVerified(String runId) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                given().get("/api/runs/{runId}", runId).then().statusCode(200).body("status", equalTo("verified")));
    }

    private List<Row> jobs(String runId) {
        List<Row> rows = new ArrayList<>();
        pool.preparedQuery("select total_requests, (extract(epoch from timeout_at - submitted_at) * 1000)::bigint"
                        + " as timeout_ms from batch_jobs where reconciliation_run_id = $1 order by chunk_index")
                .execute(Tuple.of(runId)).await().atMost(WAIT).forEach(rows::add);
        return rows;
    }

    private void deleteRow() {
        pool.preparedQuery("delete from llm_configurations").execute().await().atMost(WAIT);
    }
}
