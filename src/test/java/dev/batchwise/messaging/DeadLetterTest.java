package dev.batchwise.messaging;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * A record that can never be processed goes to its topic's .dlq with the reason in a header, and the
 * consumer goes on with the next record.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class DeadLetterTest {

    @Test
    void fourKindsOfPoisonRecordGoToTheDlqWithTheirReasonAndTheGoodRecordsAroundThemAreProcessed() {
        String marker = UUID.randomUUID().toString();
        String before = "run-before-" + marker;
        String after = "run-after-" + marker;
        // one key for all six: one partition, in this order, whatever the topic's partition count
        String key = "k-" + marker;
        String notJson = "this is not JSON " + marker;
        String noRunId = "{\"atoms\":[{\"tempId\":\"a-1\",\"description\":\"no run " + marker + "\"}]}";
        String emptyAtoms = "{\"runId\":\"run-empty-" + marker + "\",\"atoms\":[]}";
        String duplicates = "{\"runId\":\"run-dup-" + marker + "\",\"atoms\":[{\"tempId\":\"x\",\"description\":\"one\"},"
                + "{\"tempId\":\"x\",\"description\":\"two\"}]}";
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> dlq = kafka.consumeStrings()
                    .fromTopics(Topics.deadLetter(Topics.ATOMS_INFERRED));
            kafka.produceStrings().fromRecords(
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, key, good(before)),
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, key, notJson),
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, key, noRunId),
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, key, emptyAtoms),
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, key, duplicates),
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, key, good(after)))
                    .awaitCompletion(Duration.ofSeconds(30));

            await().atMost(Duration.ofSeconds(60)).until(() -> dlqRecords(dlq, marker) == 4);
            assertReason(find(dlq, notJson), notJson, "record value is not JSON");
            assertReason(find(dlq, noRunId), noRunId, "runId must not be blank");
            assertReason(find(dlq, emptyAtoms), emptyAtoms, "atoms must not be empty");
            assertReason(find(dlq, duplicates), duplicates, "atoms: tempId 'x' appears more than once in run 'run-dup-"
                    + marker + "' part 1 of 1");
            dlq.stop();
        }
        for (String runId : new String[] {before, after}) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/runs/{runId}", runId)
                    .then().statusCode(200).body("status", equalTo("verified")).body("atomCount", equalTo(2)));
        }
        given().get("/api/runs/{runId}", "run-empty-" + marker).then().statusCode(404);
        given().get("/api/runs/{runId}", "run-dup-" + marker).then().statusCode(404);
    }

    @Test
    void contradictingPartsGoToTheDlqNamingRunAndPartAndTheRunsGoodPartsAreKept() {
        String runId = "run-" + UUID.randomUUID();
        String name = "run '" + runId + "'";
        String otherAtoms = part(runId, 1, 3, 100, 5, null);
        String otherTotal = part(runId, 2, 4, 5, 5, null);
        String otherOptions = part(runId, 2, 3, 5, 5, "{\"mode\":\"realtime\"}");
        // a-0 is part 1's; a-15 .. a-18 are new, and must not be stored either
        String takenTempId = part(runId, 3, 3, 15, 4, null).replace("\"atoms\":[", "\"atoms\":[{\"tempId\":\"a-0\","
                + "\"description\":\"again\"},");
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> dlq = kafka.consumeStrings()
                    .fromTopics(Topics.deadLetter(Topics.ATOMS_INFERRED));
            kafka.produceStrings().fromRecords(
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, runId, part(runId, 1, 3, 0, 5, null)),
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, runId, otherAtoms),
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, runId, otherTotal),
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, runId, otherOptions),
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, runId, part(runId, 2, 3, 5, 5, null)),
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, runId, takenTempId),
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, runId, part(runId, 1, 3, 0, 5, null)),
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, runId, part(runId, 3, 3, 10, 5, null)))
                    .awaitCompletion(Duration.ofSeconds(30));

            await().atMost(Duration.ofSeconds(60)).until(() -> dlqRecords(dlq, runId) == 4);
            assertReason(find(dlq, otherAtoms), otherAtoms, name + " part 1 of 3 was already received with other"
                    + " atoms (5 stored, 5 in this record)");
            assertReason(find(dlq, otherTotal), otherTotal, name + " part 2 of 4: the run has 3 parts, this record says 4");
            assertReason(find(dlq, otherOptions), otherOptions, name + " part 2 of 3: options {\"mode\":\"realtime\"}"
                    + " differ from the run's (none); every part carries the run's options");
            assertReason(find(dlq, takenTempId), takenTempId, name + " part 3 of 3: tempId 'a-0' is already stored by"
                    + " another part of the run");
            dlq.stop();
        }
        // the identical part 1 again was a no-op; the three good parts make the run
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/runs/{runId}", runId)
                .then().statusCode(200).body("status", equalTo("verified")).body("atomCount", equalTo(15))
                .body("partsReceived", equalTo(3)));
        List<String> tempIds = given().get("/api/runs/{runId}/atoms?limit=100", runId).then().statusCode(200)
                .body("total", equalTo(15)).extract().jsonPath().getList("atoms.tempId", String.class);
        assertEquals(IntStream.range(0, 15).mapToObj(i -> "a-" + i).sorted().toList(), tempIds.stream().sorted().toList(),
                "the good parts' atoms, and none of a refused part's");
    }

    @Test
    void poisonInferenceRecordsGoToTheirDlqWithTheirReasonAndTheGoodRunsAroundThemAreInferred() {
        String marker = UUID.randomUUID().toString();
        String before = "infer-before-" + marker;
        String after = "infer-after-" + marker;
        String atomsRun = "atoms-run-" + marker;
        String key = "k-" + marker;
        String notJson = "not JSON either " + marker;
        String noRunId = "{\"tests\":[{\"testId\":\"t-1\",\"name\":\"no run " + marker + "\"}]}";
        String emptyTests = "{\"runId\":\"infer-empty-" + marker + "\",\"tests\":[]}";
        String duplicates = "{\"runId\":\"infer-dup-" + marker + "\",\"tests\":[{\"testId\":\"x\"},{\"testId\":\"x\"}]}";
        // a runId taken by a run that came as atoms: it has no inference stage to add tests to
        String takenRunId = "{\"runId\":\"" + atomsRun + "\",\"tests\":[{\"testId\":\"t-1\",\"context\":\"" + marker
                + "\"}]}";
        given().contentType("application/json").body(good(atomsRun)).post("/api/runs").then().statusCode(202);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/runs/{runId}", atomsRun)
                .then().statusCode(200).body("status", equalTo("verified")));
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> dlq = kafka.consumeStrings()
                    .fromTopics(Topics.deadLetter(Topics.INFERENCE_REQUESTED));
            kafka.produceStrings().fromRecords(
                    new ProducerRecord<>(Topics.INFERENCE_REQUESTED, key, goodInference(before)),
                    new ProducerRecord<>(Topics.INFERENCE_REQUESTED, key, notJson),
                    new ProducerRecord<>(Topics.INFERENCE_REQUESTED, key, noRunId),
                    new ProducerRecord<>(Topics.INFERENCE_REQUESTED, key, emptyTests),
                    new ProducerRecord<>(Topics.INFERENCE_REQUESTED, key, duplicates),
                    new ProducerRecord<>(Topics.INFERENCE_REQUESTED, key, takenRunId),
                    new ProducerRecord<>(Topics.INFERENCE_REQUESTED, key, goodInference(after)))
                    .awaitCompletion(Duration.ofSeconds(30));

            await().atMost(Duration.ofSeconds(60)).until(() -> dlqRecords(dlq, marker) == 5);
            assertReason(find(dlq, notJson), notJson, "record value is not JSON", Topics.INFERENCE_REQUESTED);
            assertReason(find(dlq, noRunId), noRunId, "runId must not be blank", Topics.INFERENCE_REQUESTED);
            assertReason(find(dlq, emptyTests), emptyTests, "tests must not be empty", Topics.INFERENCE_REQUESTED);
            assertReason(find(dlq, duplicates), duplicates, "tests: testId 'x' appears more than once in run 'infer-dup-"
                    + marker + "' part 1 of 1", Topics.INFERENCE_REQUESTED);
            assertReason(find(dlq, takenRunId), takenRunId, "run '" + atomsRun + "' came as atoms (atoms.inferred) and"
                    + " has no inference stage", Topics.INFERENCE_REQUESTED);
            dlq.stop();
        }
        for (String runId : new String[] {before, after}) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/runs/{runId}", runId)
                    .then().statusCode(200).body("status", equalTo("verified")).body("inference.testCount", equalTo(2)));
        }
        given().get("/api/runs/{runId}", "infer-empty-" + marker).then().statusCode(404);
        given().get("/api/runs/{runId}", "infer-dup-" + marker).then().statusCode(404);
        given().get("/api/runs/{runId}", atomsRun).then().statusCode(200).body("atomCount", equalTo(2))
                .body("inference", equalTo(null));
    }

    /** A good one-record inference run of two tests. */
    private static String goodInference(String runId) {
        return "{\"runId\":\"" + runId + "\",\"tests\":[{\"testId\":\"t-1\",\"name\":\"test_export\",\"context\":"
                + "\"assert export.header == ['id']\"},{\"testId\":\"t-2\",\"name\":\"test_login\",\"context\":"
                + "\"assert response.status_code == 302\"}]}";
    }

    /** A good one-record run of two atoms. */
    private static String good(String runId) {
        return "{\"runId\":\"" + runId + "\",\"atoms\":[{\"tempId\":\"a-1\",\"description\":\"fine\"},"
                + "{\"tempId\":\"a-2\",\"description\":\"also fine\"}]}";
    }

    private static String part(String runId, int part, int parts, int from, int n, String options) {
        return "{\"runId\":\"" + runId + "\",\"part\":" + part + ",\"parts\":" + parts + ",\"atoms\":["
                + IntStream.range(from, from + n).mapToObj(i -> "{\"tempId\":\"a-" + i + "\",\"description\":\"atom "
                        + i + "\"}").collect(Collectors.joining(",")) + "]"
                + (options == null ? "" : ",\"options\":" + options) + "}";
    }

    private static void assertReason(ConsumerRecord<String, String> deadLetter, String value, String reason) {
        assertReason(deadLetter, value, reason, Topics.ATOMS_INFERRED);
    }

    private static void assertReason(ConsumerRecord<String, String> deadLetter, String value, String reason,
                                     String topic) {
        assertEquals(value, deadLetter.value(), "the record as it was");
        assertTrue(reason(deadLetter).contains(reason), reason(deadLetter));
        assertEquals(topic, header(deadLetter, "dead-letter-topic"));
    }

    @Test
    void aPoisonStatusEventGoesToItsDlq() {
        String marker = UUID.randomUUID().toString();
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> dlq = kafka.consumeStrings()
                    .fromTopics(Topics.deadLetter(Topics.RECONCILIATION_STATUS));
            kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.RECONCILIATION_STATUS, marker,
                    "{\"runId\":\"" + marker + "\",\"status\":\"sleeping\"}")).awaitCompletion(Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(30)).until(() -> dlqRecords(dlq, marker) == 1);
            String reason = reason(find(dlq, marker));
            assertTrue(reason.contains("status"), reason);
            dlq.stop();
        }
    }

    private static long dlqRecords(ConsumerTask<String, String> dlq, String marker) {
        return dlq.getRecords().stream().filter(r -> r.value() != null && r.value().contains(marker)).count();
    }

    private static ConsumerRecord<String, String> find(ConsumerTask<String, String> dlq, String content) {
        return dlq.getRecords().stream().filter(r -> r.value() != null && r.value().contains(content)).findFirst()
                .orElseThrow(() -> new AssertionError("no dead letter containing " + content));
    }

    private static String reason(ConsumerRecord<String, String> record) {
        return header(record, "dead-letter-reason");
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        return Optional.ofNullable(record.headers().lastHeader(name)).map(Header::value)
                .map(v -> new String(v, StandardCharsets.UTF_8))
                .orElseThrow(() -> new AssertionError("dead letter has no header " + name));
    }
}
