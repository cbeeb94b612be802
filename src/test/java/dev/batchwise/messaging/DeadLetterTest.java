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
import java.util.Optional;
import java.util.UUID;
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
    void poisonAtomsInferredRecordsGoToTheDlqAndTheNextGoodRecordIsStored() {
        String marker = UUID.randomUUID().toString();
        String goodRunId = "run-" + marker;
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> dlq = kafka.consumeStrings()
                    .fromTopics(Topics.deadLetter(Topics.ATOMS_INFERRED));
            kafka.produceStrings().fromRecords(
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, "k-" + marker, "this is not JSON " + marker),
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, "k-" + marker,
                            "{\"atoms\":[{\"tempId\":\"a-1\",\"description\":\"" + marker + "\"}]}"),
                    new ProducerRecord<>(Topics.ATOMS_INFERRED, goodRunId,
                            "{\"runId\":\"" + goodRunId + "\",\"atoms\":[{\"tempId\":\"a-1\",\"description\":\"fine\"}]}"))
                    .awaitCompletion(Duration.ofSeconds(30));

            await().atMost(Duration.ofSeconds(30)).until(() -> dlqRecords(dlq, marker) == 2);
            ConsumerRecord<String, String> notJson = find(dlq, "this is not JSON " + marker);
            ConsumerRecord<String, String> noRunId = find(dlq, "\"description\":\"" + marker + "\"");
            assertTrue(reason(notJson).contains("not JSON"), reason(notJson));
            assertTrue(reason(noRunId).contains("runId"), reason(noRunId));
            assertEquals(Topics.ATOMS_INFERRED, header(noRunId, "dead-letter-topic"));
            dlq.stop();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/runs/{runId}", goodRunId).then().statusCode(200).body("atomCount", equalTo(1)));
    }

    @Test
    void atomsWithADuplicateTempIdAreRejectedByName() {
        String runId = "run-" + UUID.randomUUID();
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> dlq = kafka.consumeStrings()
                    .fromTopics(Topics.deadLetter(Topics.ATOMS_INFERRED));
            kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.ATOMS_INFERRED, runId,
                    "{\"runId\":\"" + runId + "\",\"atoms\":[{\"tempId\":\"x\",\"description\":\"one\"},"
                            + "{\"tempId\":\"x\",\"description\":\"two\"}]}")).awaitCompletion(Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(30)).until(() -> dlqRecords(dlq, runId) == 1);
            assertTrue(reason(find(dlq, runId)).contains("tempId 'x' appears more than once"));
            dlq.stop();
        }
        given().get("/api/runs/{runId}", runId).then().statusCode(404);
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
