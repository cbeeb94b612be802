package dev.batchwise.reconciliation;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.llm.BatchLlmService;
import dev.batchwise.llm.Provider;
import dev.batchwise.scoring.AtomInferenceService;
import dev.batchwise.scoring.AtomQualityService;
import dev.batchwise.testing.Db;
import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.Simulator;
import dev.batchwise.testing.TestFixture;
import dev.batchwise.testing.TestFixture.FixtureTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
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
 * Inference requests are large, so chunking counts bytes as well as requests: with the batch byte limit lowered to
 * 100,000 and one request's to 40,000, 30 tests of about 4,000 characters each (about 12 KB as chunking counts them:
 * UTF-8 at its worst, 3 bytes a character) go in several provider batches, none above the limit, and one test of
 * 31,000 characters fails alone with its reason while the run goes on to VERIFIED.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
@TestProfile(InferenceByteLimitTest.LowLimits.class)
class InferenceByteLimitTest {

    private static final int BATCH_BYTES = 100_000;
    private static final int REQUEST_BYTES = 40_000;

    public static class LowLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("llm.batch-max-bytes", String.valueOf(BATCH_BYTES),
                    "llm.request-max-bytes", String.valueOf(REQUEST_BYTES));
        }
    }

    @Inject
    BatchLlmService batches;

    private Simulator saved;

    @BeforeEach
    void fastBatchesWithoutErrors() {
        saved = Simulator.save();
        Simulator.configure(Map.of("batchFixedMs", 300, "batchPerItemMs", 0, "itemErrorRate", 0, "brokenRate", 0,
                "overloadedRate", 0, "neverFinish", false));
    }

    @AfterEach
    void restoreTheSimulator() {
        saved.restore();
    }

    @Test
    void testsAreChunkedByBytesAndAnOversizedOneFailsAlone() {
        List<FixtureTest> tests = new ArrayList<>();
        for (FixtureTest t : TestFixture.generate(7, 30)) {
            tests.add(new FixtureTest(t.testId(), t.name(), "def " + t.name() + "():\n" + "# fixture data\n".repeat(250)));
        }
        FixtureTest oversized = new FixtureTest("tests/huge/test_huge.py::test_everything", "test_everything",
                "# a generated fixture\n".repeat(1400));
        tests.add(15, oversized);
        long bytes = 0;
        for (FixtureTest t : tests) {
            long size = batches.requestBytes(Provider.ANTHROPIC,
                    AtomInferenceService.request("x", t.testId(), t.name(), t.context()));
            if (t != oversized) {
                assertTrue(size > 3_000 && size < REQUEST_BYTES / 2, "a test of about 12 KB as counted: " + size);
                bytes += size;
            } else {
                assertTrue(size > REQUEST_BYTES, "the oversized test: " + size);
            }
        }

        String runId = "infer-bytes-" + UUID.randomUUID();
        InferenceRunTest.post(runId, tests, "batch");
        JsonPath run = InferenceRunTest.awaitVerified(runId);
        assertEquals(31, run.getInt("inference.testCount"));
        assertEquals(1, run.getInt("inference.failed"));
        assertTrue(run.getString("inference.modeReason").endsWith("; 1 tests too large to send"),
                run.getString("inference.modeReason"));

        // the oversized test alone failed, with its reason, and was never part of a batch
        List<Map<String, Object>> failed = Db.rows("select test_id, error from inference_tests where run_id = ?"
                + " and answer_source = 'FAILED'", runId);
        assertEquals(1, failed.size(), failed.toString());
        assertEquals(oversized.testId(), failed.get(0).get("test_id"));
        String reason = (String) failed.get(0).get("error");
        assertTrue(reason.contains("above the " + REQUEST_BYTES + "-byte limit of one anthropic request"), reason);
        assertEquals(30, Db.number("select count(*) from inference_tests where run_id = ? and answer_source = 'BATCH'",
                runId), "every other test answered in a batch");

        // chunked by bytes (the request count, 5,000, would have made one job): each job under the limit
        List<Map<String, Object>> jobs = Db.rows("select j.id, j.total_requests, j.status from batch_jobs j"
                + " where j.reconciliation_run_id = ? and j.stage = 'INFERRING' order by j.chunk_index", runId);
        assertTrue(jobs.size() >= (bytes + BATCH_BYTES - 1) / BATCH_BYTES && jobs.size() > 1,
                bytes + " bytes in " + jobs);
        long items = 0;
        for (Map<String, Object> job : jobs) {
            assertEquals("COMPLETED", job.get("status"), job.toString());
            List<Map<String, Object>> contexts = Db.rows("select t.test_id, t.name, t.context from batch_items i"
                    + " join inference_tests t on t.id = i.atom_id where i.job_id = ?", job.get("id"));
            long jobBytes = 0;
            for (Map<String, Object> test : contexts) {
                jobBytes += batches.requestBytes(Provider.ANTHROPIC, AtomInferenceService.request("x",
                        (String) test.get("test_id"), (String) test.get("name"), (String) test.get("context")));
            }
            assertTrue(jobBytes <= BATCH_BYTES, "job " + job + " holds " + jobBytes + " bytes");
            items += contexts.size();
        }
        assertEquals(30, items, "each test that could be sent is in one job");
        assertTrue(run.getInt("atomCount") > 30, "the 30 tests' atoms were scored: " + run.getInt("atomCount"));
    }

    /**
     * The preparation of atoms cuts jobs by count without building the requests only where the byte limit cannot
     * bind: 24 atoms of about 12 KB as counted go in several jobs, each under the limit, and 24 short ones in one.
     */
    @Test
    void atomsAreChunkedByBytesWhereTheLimitCanBindAndByCountWhereItCannot() {
        String large = "atoms-bytes-" + UUID.randomUUID();
        String small = "atoms-count-" + UUID.randomUUID();
        postAtoms(large, 24, "A reviewer reads ledger line %d: " + "and checks it against the invoice ".repeat(120));
        postAtoms(small, 24, "A user can do thing %d and sees it done");
        IntakeTest.awaitVerified(large);
        IntakeTest.awaitVerified(small);
        for (String runId : List.of(large, small)) {
            // the preparation's widest texts, as the part measured them, are what PostgreSQL measures of its atoms
            assertEquals(Db.rows("select max(octet_length(description)) as description, max(octet_length(category))"
                            + " as category from atoms where run_id = ?", runId),
                    Db.rows("select description_octets as description, category_octets as category from run_parts"
                            + " where run_id = ?", runId));
        }

        List<Map<String, Object>> jobs = Db.rows("select id from batch_jobs where reconciliation_run_id = ?"
                + " order by chunk_index", large);
        assertTrue(jobs.size() > 1, "a 12 KB request 24 times is above 100,000 bytes: " + jobs);
        long items = 0;
        for (Map<String, Object> job : jobs) {
            List<Map<String, Object>> atoms = Db.rows("select a.id::text as id, a.description, a.category"
                    + " from batch_items i join atoms a on a.id = i.atom_id where i.job_id = ?", job.get("id"));
            long jobBytes = 0;
            for (Map<String, Object> atom : atoms) {
                long size = batches.requestBytes(Provider.ANTHROPIC, AtomQualityService.request(
                        (String) atom.get("id"), (String) atom.get("description"), (String) atom.get("category")));
                assertTrue(size > 10_000, "an atom of about 12 KB as counted: " + size);
                jobBytes += size;
            }
            assertTrue(jobBytes <= BATCH_BYTES, "job " + job + " holds " + jobBytes + " bytes");
            items += atoms.size();
        }
        assertEquals(24, items, "each atom in one job");
        assertEquals(1, Db.number("select count(*) from batch_jobs where reconciliation_run_id = ?", small),
                "24 short atoms are one job");
        assertEquals(24, Db.number("select total_requests from batch_jobs where reconciliation_run_id = ?", small));
    }

    private static void postAtoms(String runId, int count, String description) {
        String atoms = IntStream.range(0, count).mapToObj(i -> "{\"tempId\":\"a-" + i + "\",\"description\":\""
                + String.format(description, i) + "\",\"category\":\"functional\"}").collect(Collectors.joining(","));
        given().contentType(ContentType.JSON).body("{\"runId\":\"" + runId + "\",\"atoms\":[" + atoms
                + "],\"options\":{\"mode\":\"batch\",\"provider\":\"anthropic\"}}").post("/api/runs")
                .then().statusCode(202);
    }
}
