package dev.batchwise;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.messaging.Topics;
import dev.batchwise.testing.AtomFixture;
import dev.batchwise.testing.AtomFixture.FixtureAtom;
import dev.batchwise.testing.AtomListing;
import dev.batchwise.testing.Db;
import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.Simulator;
import dev.batchwise.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The plan's production run, end to end: 1,620 generated atoms published as one record on {@code atoms.inferred}
 * (as the upstream pipeline does, not through our REST endpoint) go through one provider batch and end VERIFIED;
 * every atom has an outcome, the run's status events reach {@code reconciliation.status} ending with the final one,
 * and no request was sent twice, at the simulator or in the database. The simulator keeps its default answer shapes
 * (a share fenced, wrapped in prose, or cut short), as a real model's would be.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class ProductionSizedRunTest {

    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final int ATOMS = 1620;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Simulator simulator;

    @BeforeEach
    void aHealthyProvider() {
        simulator = Simulator.save();
        Simulator.configure(Map.of("batchFixedMs", 1000, "batchPerItemMs", 0, "itemErrorRate", 0, "overloadedRate", 0,
                "neverFinish", false, "failBatches", false, "malformedLineRate", 0, "resultsCutAfterLines", 0,
                "batchEndpointErrorRate", 0));
    }

    @AfterEach
    void restore() {
        simulator.restore();
    }

    @Test
    void aRunOf1620AtomsOnTheTopicEndsVerifiedWithAnOutcomeForEveryAtomSentOnce() throws Exception {
        List<FixtureAtom> atoms = AtomFixture.generate(ATOMS, ATOMS);
        String runId = "production-" + UUID.randomUUID();
        Map<String, Long> before = stats();
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> status = kafka.consumeStrings().fromTopics(Topics.RECONCILIATION_STATUS);
            kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.ATOMS_INFERRED, runId,
                    AtomFixture.run(runId, atoms, null))).awaitCompletion(Duration.ofSeconds(60));

            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    given().get("/api/runs/{runId}", runId).then().statusCode(200).body("status", equalTo("verified")));
            // the final status is announced after it is committed: wait for it on the topic
            await().atMost(Duration.ofSeconds(60)).until(() -> events(status, runId).stream()
                    .anyMatch(e -> "verified".equals(e.get("status").asText())));
            List<JsonNode> events = events(status, runId);
            status.stop();

            List<String> statuses = events.stream().map(e -> e.get("status").asText()).toList();
            assertEquals("verified", statuses.get(statuses.size() - 1), statuses.toString());
            assertTrue(statuses.contains("batch_processing"), "the batch phase was announced: " + statuses);
            List<String> order = List.of("received", "batch_processing", "verified");
            for (int i = 1; i < statuses.size(); i++) {
                assertTrue(order.indexOf(statuses.get(i - 1)) <= order.indexOf(statuses.get(i))
                        && order.contains(statuses.get(i)), "statuses move forward only: " + statuses);
            }
            JsonNode last = events.get(events.size() - 1).get("batchProgress");
            assertEquals(List.of(ATOMS, ATOMS, 0), List.of(last.get("submitted").asInt(), last.get("completed").asInt(),
                    last.get("failed").asInt()), last.toString());
        }

        given().get("/api/runs/{runId}", runId).then()
                .body("mode", equalTo("batch"))
                .body("modeReason", equalTo(ATOMS + " atoms > threshold 20 (BATCH_THRESHOLD)"))
                .body("atomCount", equalTo(ATOMS))
                .body("batchProgress.submitted", equalTo(ATOMS))
                .body("batchProgress.completed", equalTo(ATOMS))
                .body("batchProgress.failed", equalTo(0));

        List<Map<String, Object>> listed = AtomListing.all(runId, ATOMS);
        assertEquals(atoms.stream().map(FixtureAtom::tempId).collect(Collectors.toSet()),
                listed.stream().map(a -> (String) a.get("tempId")).collect(Collectors.toSet()));
        assertEquals(ATOMS, listed.size(), "every atom listed once");
        Map<String, Long> sources = new HashMap<>();
        for (Map<String, Object> atom : listed) {
            boolean scored = atom.get("qualityScore") != null;
            boolean unreadable = "unparseable".equals(atom.get("scoreSource")) && atom.get("parseIssue") != null;
            assertTrue(scored || unreadable || atom.get("error") != null, "an atom without an outcome: " + atom);
            assertTrue(scored == "batch".equals(atom.get("scoreSource")), "scored through the batch: " + atom);
            sources.merge((String) atom.get("scoreSource"), 1L, Long::sum);
        }
        assertEquals(Set.of("batch", "unparseable"), sources.keySet(), sources.toString());
        assertTrue(sources.get("batch") > ATOMS * 0.9, sources.toString());
        AtomListing.assertBestFirstUnscoredLast(listed);
        assertEquals(0L, Db.number("select count(*) from atoms where run_id = ? and scored_at is null", runId));

        Map<String, Long> after = stats();
        assertEquals(before.get("anthropic.batchRequests") + ATOMS, after.get("anthropic.batchRequests"),
                "each atom sent once in a batch");
        assertEquals(before.get("anthropic.batchesCreated") + 1, after.get("anthropic.batchesCreated"), "one batch");
        assertEquals(before.get("anthropic.realtimeCalls"), after.get("anthropic.realtimeCalls"), "nothing in real time");
        assertEquals(before.get("openai.batchRequests"), after.get("openai.batchRequests"));
        assertEquals(before.get("openai.realtimeCalls"), after.get("openai.realtimeCalls"));

        String items = "from batch_items i join batch_jobs j on j.id = i.job_id where j.reconciliation_run_id = ?";
        assertEquals(1L, Db.number("select count(*) from batch_jobs where reconciliation_run_id = ?", runId));
        assertEquals("COMPLETED", Db.rows("select status from batch_jobs where reconciliation_run_id = ?", runId)
                .get(0).get("status"));
        assertEquals((long) ATOMS, Db.number("select count(*) " + items, runId), "one item per atom");
        assertEquals((long) ATOMS, Db.number("select count(distinct i.atom_id) " + items, runId));
        assertEquals((long) ATOMS, Db.number("select count(*) " + items
                + " and i.status = 'SUCCEEDED' and i.attempts = 1 and i.result_source = 'BATCH'", runId),
                "every item succeeded at its first and only send");
    }

    private static List<JsonNode> events(ConsumerTask<String, String> status, String runId) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (var record : status.getRecords()) {
            if (runId.equals(record.key())) {
                events.add(JSON.readTree(record.value()));
            }
        }
        return events;
    }

    private static Map<String, Long> stats() {
        Map<String, Long> stats = new HashMap<>();
        for (String provider : List.of("anthropic", "openai")) {
            for (String counter : List.of("batchRequests", "batchesCreated", "realtimeCalls")) {
                stats.put(provider + "." + counter, Simulator.stat(provider + "." + counter));
            }
        }
        return stats;
    }
}
