package dev.batchwise.reconciliation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.messaging.Topics;
import dev.batchwise.testing.Db;
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
            assertTrue(reason.contains("run '" + runId + "' part 1 of 1 was already received with other atoms (2 stored, 3"
                    + " in this record)"), reason);
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
    void aRunInPartsIsReceivedUntilItsLastPartAndPreparedOnceWhateverTheOrder() {
        String runId = "run-" + UUID.randomUUID();
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> dlq = kafka.consumeStrings().fromTopics(Topics.deadLetter(Topics.ATOMS_INFERRED));
            produce(runId, part(runId, 3, 3, 20, 10));
            produce(runId, part(runId, 1, 3, 0, 10));
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                    given().get("/api/runs/{runId}", runId).then().statusCode(200).body("partsReceived", equalTo(2)));
            given().get("/api/runs/{runId}", runId).then().statusCode(200)
                    .body("status", equalTo("received"))
                    .body("parts", equalTo(3))
                    .body("atomCount", equalTo(20))
                    .body("mode", org.hamcrest.Matchers.nullValue())
                    .body("batchProgress.submitted", equalTo(0));
            assertEquals(0, Db.number("select count(*) from batch_jobs where reconciliation_run_id = ?", runId),
                    "nothing is prepared while parts are missing");

            produce(runId, part(runId, 1, 3, 0, 10)); // redelivered: a no-op
            produce(runId, part(runId, 2, 3, 10, 10));
            awaitVerified(runId);
            assertTrue(dlq.getRecords().stream().noneMatch(r -> runId.equals(r.key())), "nothing dead-lettered");
            dlq.stop();
        }
        given().get("/api/runs/{runId}", runId).then().statusCode(200)
                .body("mode", equalTo("batch"))
                .body("modeReason", equalTo("30 atoms > threshold 20 (BATCH_THRESHOLD)"))
                .body("atomCount", equalTo(30))
                .body("parts", equalTo(3))
                .body("partsReceived", equalTo(3));
        assertEquals(1, Db.number("select count(*) from batch_jobs where reconciliation_run_id = ?", runId),
                "prepared once: one job");
        assertEquals(30, Db.number("select sum(total_requests) from batch_jobs where reconciliation_run_id = ?",
                runId), "one request per atom of every part");
        // the items are written when the job is claimed for submit
        await().atMost(WAIT).untilAsserted(() -> assertEquals(30, Db.number("select count(*) from batch_items i"
                + " join batch_jobs j on j.id = i.job_id where j.reconciliation_run_id = ?", runId),
                "one item per atom of every part"));
        assertEquals(3, Db.number("select count(*) from run_parts where run_id = ?", runId));
        given().get("/api/runs/{runId}/atoms", runId).then().statusCode(200).body("total", equalTo(30));
        assertEquals(30, Db.number("select count(*) from atoms where run_id = ? and substr(id::text, 15, 1) = '7'",
                runId), "atom ids are time-ordered (version 7)");

        // a run's atoms, parts, jobs and items go with it (atoms by trigger since V11, the rest by cascade)
        assertEquals(1, Db.number("with gone as (delete from reconciliation_runs where run_id = ? returning 1)"
                + " select count(*) from gone", runId));
        assertEquals(0, Db.number("select count(*) from atoms where run_id = ?", runId), "atoms deleted with the run");
        assertEquals(0, Db.number("select count(*) from run_parts where run_id = ?", runId));
        assertEquals(0, Db.number("select count(*) from batch_jobs where reconciliation_run_id = ?", runId));
    }

    @Test
    void aPostedRunLargerThanAPartIsPublishedInPartsSizedByBytesAndVerified() {
        String runId = "run-" + UUID.randomUUID();
        int atoms = 2_500;
        // about 500 bytes per atom: 1.2 MB of JSON, three parts of at most 512 KiB (2,500 short atoms would be one)
        String body = "{\"runId\":\"" + runId + "\",\"atoms\":[" + IntStream.range(0, atoms)
                .mapToObj(i -> "{\"tempId\":\"a-" + i + "\",\"description\":\"" + ("A user can do thing " + i
                        + " and sees it done. ").repeat(12) + "\",\"category\":\"functional\"}")
                .collect(Collectors.joining(",")) + "]}";
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> topic = kafka.consumeStrings().fromTopics(Topics.ATOMS_INFERRED);
            given().contentType(ContentType.JSON).body(body).post("/api/runs")
                    .then().statusCode(202).body("runId", equalTo(runId)).body("parts", equalTo(3));
            awaitVerified(runId);

            await().atMost(WAIT).until(() -> topic.getRecords().stream().filter(r -> runId.equals(r.key())).count() == 3);
            List<ConsumerRecord<String, String>> parts = topic.getRecords().stream()
                    .filter(r -> runId.equals(r.key())).toList();
            for (ConsumerRecord<String, String> part : parts) {
                assertTrue(part.serializedValueSize() <= 512 * 1024, part.serializedValueSize() + " bytes");
            }
            assertEquals(List.of(1, 2, 3), parts.stream().map(r -> io.vertx.core.json.Json.decodeValue(r.value(),
                    io.vertx.core.json.JsonObject.class).getInteger("part")).toList(), "published in order");
            topic.stop();
        }
        given().get("/api/runs/{runId}", runId).then().statusCode(200)
                .body("mode", equalTo("batch"))
                .body("atomCount", equalTo(atoms))
                .body("parts", equalTo(3))
                .body("partsReceived", equalTo(3));
        assertEquals(atoms, Db.number("select count(*) from atoms where run_id = ? and scored_at is not null", runId),
                "every atom of every part scored");
    }

    @Test
    void postRefusesPartsAndAnAtomTooLargeForAPart() {
        given().contentType(ContentType.JSON).body(part("r", 1, 2, 0, 1)).post("/api/runs").then().statusCode(400)
                .body("error", startsWith("part and parts are not for POST /api/runs"));
        given().contentType(ContentType.JSON).body("{\"runId\":\"r\",\"atoms\":[{\"tempId\":\"big\",\"description\":\""
                        + "x".repeat(600 * 1024) + "\"}]}")
                .post("/api/runs").then().statusCode(400)
                .body("error", startsWith("atoms[0] (tempId 'big') is 614"));
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

    /** Part {@code part} of {@code parts}: atoms a-from .. a-(from+n-1). */
    static String part(String runId, int part, int parts, int from, int n) {
        return "{\"runId\":\"" + runId + "\",\"part\":" + part + ",\"parts\":" + parts + ",\"atoms\":["
                + IntStream.range(from, from + n).mapToObj(i -> "{\"tempId\":\"a-" + i + "\",\"description\":\"A user"
                        + " can do thing " + i + " and sees it done\",\"category\":\"functional\"}")
                .collect(Collectors.joining(",")) + "]}";
    }

    private static void produce(String key, String value) {
        try (KafkaCompanion kafka = TestKafka.companion()) {
            kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.ATOMS_INFERRED, key, value))
                    .awaitCompletion(WAIT);
        }
    }
}
