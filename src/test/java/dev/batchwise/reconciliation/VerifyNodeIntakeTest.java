package dev.batchwise.reconciliation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.batchwise.messaging.Topics;
import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.junit.jupiter.api.Test;

/**
 * atoms.inferred -> VerifyNode -> PostgreSQL, through the real local broker and the real database:
 * the record is sent with an Emitter, consumed by the @Incoming intake and stored with Panache.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class VerifyNodeIntakeTest {

    @Inject
    @Channel("atoms-inferred-out")
    MutinyEmitter<Record<String, AtomsInferred>> atomsInferred;

    @Test
    void storesTheRunAndItsAtoms() {
        String runId = "run-" + UUID.randomUUID();
        atomsInferred.sendAndAwait(Record.of(runId, run(runId, "a-1", "a-2", "a-3")));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/runs/{runId}", runId)
                .then().statusCode(200)
                .body("runId", equalTo(runId))
                .body("status", equalTo("received"))
                .body("atomCount", equalTo(3)));
        given().get("/runs/{runId}/atoms", runId)
                .then().statusCode(200)
                .body("tempId", contains("a-1", "a-2", "a-3"))
                .body("[1].description", equalTo("atom a-2 does something"));
    }

    @Test
    void aRedeliveredRunChangesNothing() {
        String runId = "run-" + UUID.randomUUID();
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> status = kafka.consumeStrings().fromTopics(Topics.RECONCILIATION_STATUS);
            atomsInferred.sendAndAwait(Record.of(runId, run(runId, "a-1", "a-2")));
            // the same runId again, with other atoms: a redelivery or a duplicate producer, never a second run
            atomsInferred.sendAndAwait(Record.of(runId, run(runId, "b-1", "b-2", "b-3")));

            // each intake announces the run's status after it is done, so two events mean both were handled
            await().atMost(Duration.ofSeconds(30)).until(() -> status.getRecords().stream()
                    .filter(r -> runId.equals(r.key())).count() == 2);
            status.stop();
        }
        given().get("/runs/{runId}", runId).then().statusCode(200).body("atomCount", equalTo(2));
        List<String> tempIds = given().get("/runs/{runId}/atoms", runId).then().statusCode(200)
                .extract().jsonPath().getList("tempId", String.class);
        assertEquals(List.of("a-1", "a-2"), tempIds);
    }

    @Test
    void unknownRunIs404() {
        given().get("/runs/{runId}", "no-such-run").then().statusCode(404);
    }

    static AtomsInferred run(String runId, String... tempIds) {
        return new AtomsInferred(runId, java.util.Arrays.stream(tempIds)
                .map(id -> new AtomsInferred.InferredAtom(id, "atom " + id + " does something", "functional"))
                .toList(), null);
    }
}
