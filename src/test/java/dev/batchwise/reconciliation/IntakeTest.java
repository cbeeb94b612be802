package dev.batchwise.reconciliation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.messaging.Topics;
import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.LogCapture;
import dev.batchwise.testing.Postgres;
import dev.batchwise.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * atoms.inferred -> VerifyNode -> PostgreSQL -> scored, through the real local broker, the real database and the
 * simulator: runs are stored once, the mode is chosen and explained, small runs are scored in real time, and a
 * good run survives a database outage and never lands on the dead-letter topic.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class IntakeTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aSmallRunIsScoredInRealTimeAndItsModeExplained() {
        String runId = "run-" + UUID.randomUUID();
        produce(runId, run(runId, 3));

        awaitVerified(runId);
        given().get("/api/runs/{runId}", runId).then().statusCode(200)
                .body("mode", equalTo("realtime"))
                .body("modeReason", equalTo("3 atoms <= threshold 20 (BATCH_THRESHOLD)"))
                .body("provider", equalTo("anthropic"))
                .body("atomCount", equalTo(3))
                .body("batchProgress.submitted", equalTo(3))
                .body("createdAt", notNullValue())
                .body("finishedAt", notNullValue());
        List<String> sources = given().get("/api/runs/{runId}/atoms", runId).then().statusCode(200)
                .body("total", equalTo(3)).extract().jsonPath().getList("atoms.scoreSource", String.class);
        assertEquals(3, sources.size());
        assertTrue(sources.stream().allMatch(s -> s.equals("realtime") || s.equals("unparseable")), sources.toString());
    }

    @Test
    void anIdenticalRedeliveryChangesNothingAndAContradictionGoesToTheDlqByName() {
        String runId = "run-" + UUID.randomUUID();
        String after = "run-" + UUID.randomUUID();
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> dlq = kafka.consumeStrings().fromTopics(Topics.deadLetter(Topics.ATOMS_INFERRED));
            produce(runId, run(runId, 2));
            produce(runId, run(runId, 2));
            produce(runId, run(runId, 3));
            // one partition in tests: once a later record is stored, the three before it were handled
            produce(after, run(after, 1));
            awaitVerified(after);

            await().atMost(WAIT).until(() -> dlq.getRecords().stream().anyMatch(r -> runId.equals(r.key())));
            List<ConsumerRecord<String, String>> mine = dlq.getRecords().stream()
                    .filter(r -> runId.equals(r.key())).toList();
            assertEquals(1, mine.size(), "only the contradicting record is dead-lettered");
            String reason = new String(mine.get(0).headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8);
            assertTrue(reason.contains("run '" + runId + "' was already received with other atoms"), reason);
            dlq.stop();
        }
        given().get("/api/runs/{runId}", runId).then().statusCode(200).body("atomCount", equalTo(2));
        given().get("/api/runs/{runId}/atoms", runId).then().statusCode(200).body("total", equalTo(2));
    }

    @Test
    void aRunArrivingWhilePostgresRefusesConnectionsIsStoredOnceItIsBack() {
        String runId = "run-" + UUID.randomUUID();
        try (KafkaCompanion kafka = TestKafka.companion(); LogCapture log = new LogCapture()) {
            ConsumerTask<String, String> dlq = kafka.consumeStrings().fromTopics(Topics.deadLetter(Topics.ATOMS_INFERRED));
            Postgres.refuseConnections();
            try {
                produce(runId, run(runId, 2));
                // the intake has tried, failed and is retrying: the outage is real, the record is not lost
                await().atMost(WAIT).until(() -> log.contains("run=" + runId + " atoms.inferred not processed yet, retrying"));
            } finally {
                Postgres.allowConnections();
            }
            awaitVerified(runId);
            assertTrue(dlq.getRecords().stream().noneMatch(r -> runId.equals(r.key())), "never dead-lettered");
            dlq.stop();
        }
    }

    @Test
    void postedRunsArePublishedAndBadBodiesNameTheField() {
        String runId = "run-" + UUID.randomUUID();
        given().contentType(ContentType.JSON).body(run(runId, 2)).post("/api/runs")
                .then().statusCode(202).body("runId", equalTo(runId));
        awaitVerified(runId);

        given().contentType(ContentType.JSON).body("{\"atoms\": [{\"tempId\": \"a\", \"description\": \"d\"}]}")
                .post("/api/runs").then().statusCode(400).body("error", equalTo("runId must not be blank"))
                .body("status", equalTo(400));
        given().contentType(ContentType.JSON).body("{\"runId\": \"r\", \"atoms\": []}")
                .post("/api/runs").then().statusCode(400).body("error", equalTo("atoms must not be empty"));
        given().contentType(ContentType.JSON).body("{\"runId\": \"r\", \"atoms\": [{\"tempId\": \"a\", \"description\": \"d\"}],"
                        + " \"options\": {\"mode\": \"sometimes\"}}")
                .post("/api/runs").then().statusCode(400)
                .body("error", equalTo("options.mode must be auto, batch or realtime (was \"sometimes\")"));
        given().contentType(ContentType.JSON).body("not json").post("/api/runs").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.startsWith("record value is not JSON"));
    }

    @Test
    void unknownRunsAreA404WithAJsonBody() {
        given().get("/api/runs/{runId}", "no-such-run").then().statusCode(404)
                .body("error", equalTo("run 'no-such-run' not found"));
        given().get("/api/runs/{runId}/atoms", "no-such-run").then().statusCode(404)
                .body("error", equalTo("run 'no-such-run' not found"));
        given().get("/api/runs/{runId}/atoms?limit=0", "no-such-run").then().statusCode(400)
                .body("error", equalTo("limit must be between 1 and 1000 (was 0)"));
    }

    static void awaitVerified(String runId) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                given().get("/api/runs/{runId}", runId).then().statusCode(200).body("status", equalTo("verified")));
    }

    static String run(String runId, int atoms) {
        return "{\"runId\":\"" + runId + "\",\"atoms\":[" + IntStream.range(0, atoms)
                .mapToObj(i -> "{\"tempId\":\"a-" + i + "\",\"description\":\"A user can do thing " + i
                        + " and sees it done\",\"category\":\"functional\"}")
                .collect(Collectors.joining(",")) + "]}";
    }

    private static void produce(String key, String value) {
        try (KafkaCompanion kafka = TestKafka.companion()) {
            kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.ATOMS_INFERRED, key, value))
                    .awaitCompletion(WAIT);
        }
    }
}
