package dev.batchwise.reconciliation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.llm.Provider;
import dev.batchwise.llm.realtime.RealtimeLlmService;
import dev.batchwise.scoring.AtomQualityService;
import dev.batchwise.scoring.QualityAnswer;
import dev.batchwise.scoring.QualityAnswer.Repair;
import dev.batchwise.testing.AtomFixture;
import dev.batchwise.testing.AtomFixture.FixtureAtom;
import dev.batchwise.testing.AtomListing;
import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.Simulator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The golden test of scoring: the same 60 atoms scored once through a provider batch and once in real time get, atom
 * by atom, the same score, issues and parse outcome; and both equal what {@link AtomQualityService#read} makes of the
 * simulator's raw answer to the same request. The simulator is set to wrap or break a good share of its answers, and
 * the test checks that clean, recovered and unreadable answers all occur, so that it could fail.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class GoldenScoringTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    RealtimeLlmService realtime;

    private Simulator simulator;

    @BeforeEach
    void answersInEveryShape() {
        simulator = Simulator.save();
        // the defaults (fenced 0.1, prose 0.05, broken 0.02) could leave 60 atoms without a broken answer
        Simulator.configure(Map.of("fencedRate", 0.25, "proseRate", 0.2, "brokenRate", 0.15, "batchFixedMs", 300,
                "batchPerItemMs", 0, "itemErrorRate", 0, "overloadedRate", 0, "neverFinish", false));
    }

    @AfterEach
    void restore() {
        simulator.restore();
    }

    @Test
    void batchAndRealTimeReadEveryAnswerAlike() {
        List<FixtureAtom> atoms = AtomFixture.generate(60, 60);
        String batchRun = "golden-batch-" + UUID.randomUUID();
        String realtimeRun = "golden-realtime-" + UUID.randomUUID();
        post(batchRun, atoms, "batch");
        post(realtimeRun, atoms, "realtime");
        awaitVerified(batchRun, "batch");
        awaitVerified(realtimeRun, "realtime");

        List<Map<String, Object>> batchList = AtomListing.all(batchRun, 60);
        List<Map<String, Object>> realtimeList = AtomListing.all(realtimeRun, 60);
        Map<String, Map<String, Object>> byBatch = byTempId(batchList);
        Map<String, Map<String, Object>> byRealtime = byTempId(realtimeList);
        Map<String, QualityAnswer> expected = rawAnswers(atoms);
        assertEquals(60, byBatch.size());
        assertEquals(60, byRealtime.size());

        int clean = 0;
        int recovered = 0;
        int unreadable = 0;
        for (FixtureAtom atom : atoms) {
            Map<String, Object> b = byBatch.get(atom.tempId());
            Map<String, Object> r = byRealtime.get(atom.tempId());
            QualityAnswer answer = expected.get(atom.tempId());
            String what = atom.tempId() + ": batch " + b + ", real time " + r + ", raw reading " + answer;
            for (Map<String, Object> view : List.of(b, r)) {
                assertEquals(answer.score(), view.get("qualityScore"), what);
                assertEquals(answer.issues(), view.get("issues"), what);
                assertEquals(answer.parseIssue(), view.get("parseIssue"), what);
                assertNull(view.get("error"), what);
            }
            if (answer.readable()) {
                assertEquals("batch", b.get("scoreSource"), what);
                assertEquals("realtime", r.get("scoreSource"), what);
                if (answer.repairs().isEmpty()) {
                    clean++;
                } else {
                    recovered++;
                }
            } else {
                assertEquals("unparseable", b.get("scoreSource"), what);
                assertEquals("unparseable", r.get("scoreSource"), what);
                assertEquals("answer cut short: no closing brace", answer.parseIssue(), what);
                unreadable++;
            }
        }
        String counts = clean + " clean, " + recovered + " recovered, " + unreadable + " unreadable";
        assertTrue(clean > 0 && recovered > 0 && unreadable > 0, counts);
        assertTrue(expected.values().stream().anyMatch(a -> a.readable() && a.repairs().contains(Repair.FENCE)), counts);
        assertTrue(expected.values().stream().anyMatch(a -> a.readable() && a.repairs().contains(Repair.PROSE)), counts);

        AtomListing.assertBestFirstUnscoredLast(batchList);
        AtomListing.assertBestFirstUnscoredLast(realtimeList);
    }

    /** What the simulator answers to each atom's request, read here: the third leg of the comparison. */
    private Map<String, QualityAnswer> rawAnswers(List<FixtureAtom> atoms) {
        List<LlmRequest> requests = atoms.stream()
                .map(a -> AtomQualityService.request(a.tempId(), a.description(), a.category())).toList();
        List<LlmResult> results = realtime.completeAll(requests, 10, Provider.ANTHROPIC).collect().asList()
                .await().atMost(WAIT);
        Map<String, QualityAnswer> answers = new HashMap<>();
        for (LlmResult result : results) {
            assertTrue(result.success(), result.toString());
            answers.put(result.customId(), AtomQualityService.read(result.content()));
        }
        assertEquals(atoms.size(), answers.size());
        return answers;
    }

    private static Map<String, Map<String, Object>> byTempId(List<Map<String, Object>> list) {
        Map<String, Map<String, Object>> map = new HashMap<>();
        list.forEach(atom -> assertNull(map.put((String) atom.get("tempId"), atom), "tempId listed twice: " + atom));
        return map;
    }

    private static void post(String runId, List<FixtureAtom> atoms, String mode) {
        ObjectNode options = AtomFixture.options().put("mode", mode).put("provider", "anthropic");
        given().contentType(ContentType.JSON).body(AtomFixture.run(runId, atoms, options)).post("/api/runs")
                .then().statusCode(202);
    }

    private static void awaitVerified(String runId, String mode) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                given().get("/api/runs/{runId}", runId).then().statusCode(200).body("status", equalTo("verified")));
        String reason = given().get("/api/runs/{runId}", runId).then().body("mode", equalTo(mode)).extract()
                .path("modeReason");
        assertNotNull(reason);
    }
}
