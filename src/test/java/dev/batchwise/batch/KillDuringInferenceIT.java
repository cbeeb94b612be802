package dev.batchwise.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.scoring.AtomInferenceService;
import dev.batchwise.testing.Db;
import dev.batchwise.testing.ServiceProcess;
import dev.batchwise.testing.TestFixture;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 during the inference stage: the provider runs the inference batches while the service is dead; the
 * restarted service collects them, hands the atoms on to verifying and scores them, and each test's atoms exist
 * once: every test and every atom was sent in exactly one provider batch, once, and nothing went to real time.
 */
class KillDuringInferenceIT {

    private static final int TESTS = 300;
    private static PackagedBatchRun scenario;

    @BeforeAll
    static void begin() {
        scenario = PackagedBatchRun.begin("kill-during-inference");
    }

    @AfterAll
    static void end() {
        if (scenario != null) {
            scenario.close();
        }
    }

    @Test
    void anInferenceRunKilledWhileItsBatchesRunEndsVerifiedWithEachTestsAtomsOnce() throws Exception {
        String runId = "kill-during-inference-" + System.nanoTime();
        ServiceProcess.Spec spec = scenario.service("service");
        ServiceProcess first = scenario.start(spec);
        // long enough that both inference batches are still running when the service dies
        scenario.configureSimulator(Map.of("batchFixedMs", 8000, "itemErrorRate", 0));

        HttpResponse<String> posted = first.post("/api/inference-runs", TestFixture.run(runId,
                TestFixture.generate(300, TESTS), TestFixture.options().put("mode", "batch").put("provider", "anthropic")));
        assertEquals(202, posted.statusCode(), posted.body());
        PackagedBatchRun.awaitDb("two inference jobs with a provider batch id", () -> inferenceJobsWithBatch(runId) == 2,
                first);
        assertEquals(137, first.kill());
        assertEquals(0, Db.number("select count(*) from inference_tests where run_id = ? and inferred_at is not null",
                runId), "killed before any test had its answer (else batchFixedMs is too short for this machine)");

        ServiceProcess second = scenario.start(spec.onPort(first.port()));
        PackagedBatchRun.awaitVerified(second, runId);
        String context = PackagedBatchRun.summary(runId);

        List<Map<String, Object>> jobs = Db.rows("select stage, status, provider_batch_id from batch_jobs"
                + " where reconciliation_run_id = ? order by stage, chunk_index", runId);
        jobs.forEach(job -> assertEquals("COMPLETED", job.get("status"), "job " + job));
        assertEquals(jobs.size(), jobs.stream().map(job -> job.get("provider_batch_id")).distinct().count(),
                "one provider batch per job: " + jobs);
        assertEquals(2, jobs.stream().filter(job -> "INFERRING".equals(job.get("stage"))).count(), jobs.toString());

        // each test: one item, sent once, answered in its batch, its atoms stored once
        String items = " from batch_items i join batch_jobs j on j.id = i.job_id where j.reconciliation_run_id = ?"
                + " and j.stage = 'INFERRING'";
        assertEquals(TESTS, Db.number("select count(*)" + items + " and i.status = 'SUCCEEDED' and i.attempts = 1"
                + " and i.result_source = 'BATCH'", runId), context);
        assertEquals(TESTS, Db.number("select count(*) from inference_tests where run_id = ? and inferred_at is not null",
                runId));
        long atoms = Db.number("select coalesce(sum(jsonb_array_length(atoms)), 0) from inference_tests where run_id = ?",
                runId);
        assertTrue(atoms > TESTS, "atoms inferred: " + atoms);
        assertEquals(atoms, Db.number("select count(*) from atoms where run_id = ?", runId), "each test's atoms once");
        List<Map<String, Object>> notOnce = Db.rows("select t.test_id, jsonb_array_length(t.atoms) as inferred,"
                + " count(a.id) as stored from inference_tests t left join atoms a on a.run_id = t.run_id"
                + " and a.payload->>'testId' = t.test_id where t.run_id = ? group by t.test_id, t.atoms"
                + " having count(a.id) <> jsonb_array_length(t.atoms) limit 10", runId);
        assertEquals(List.of(), notOnce, "tests whose atoms were not stored exactly once");
        for (Map<String, Object> atom : Db.rows("select a.temp_id, a.payload->>'testId' as test_id from atoms a"
                + " where a.run_id = ? limit 20", runId)) {
            String tempId = (String) atom.get("temp_id");
            boolean derived = false;
            for (int place = 0; place < 16 && !derived; place++) {
                derived = AtomInferenceService.tempId(runId, (String) atom.get("test_id"), place).equals(tempId);
            }
            assertTrue(derived, tempId + " is derived from its run, test and place");
        }
        assertEquals(atoms, Db.number("select count(*) from atoms where run_id = ? and scored_at is not null", runId),
                "every atom has its outcome: " + context);

        JsonNode stats = scenario.simulatorStats("anthropic");
        assertEquals(jobs.size(), stats.get("batchesCreated").asLong(), "provider batches created: " + stats);
        assertEquals(TESTS + atoms, stats.get("batchRequests").asLong(), "each test and each atom sent once: " + stats);
        assertEquals(0, stats.get("realtimeCalls").asLong(), "real-time calls: " + stats);
    }

    private static long inferenceJobsWithBatch(String runId) {
        return Db.hasTable("batch_jobs") ? Db.number("select count(*) from batch_jobs where reconciliation_run_id = ?"
                + " and stage = 'INFERRING' and provider_batch_id is not null", runId) : 0;
    }
}
