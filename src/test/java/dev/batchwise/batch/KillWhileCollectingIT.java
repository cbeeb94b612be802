package dev.batchwise.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.testing.ServiceProcess;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 in the middle of collecting: some results are applied, the rest not. The restarted service reads the
 * results again from the start; what was applied stays as it is, the rest is applied, nothing is sent again.
 */
class KillWhileCollectingIT {

    private static final int ATOMS = 500;
    private static final String STALL = "batchwise.faults.stall-after-collected-chunks";
    private static PackagedBatchRun scenario;

    @BeforeAll
    static void begin() {
        scenario = PackagedBatchRun.begin("kill-while-collecting");
    }

    @AfterAll
    static void end() {
        if (scenario != null) {
            scenario.close();
        }
    }

    @Test
    void aCollectCutShortByACrashResumesWithoutDuplicates() throws Exception {
        String runId = "kill-while-collecting-" + System.nanoTime();
        ServiceProcess.Spec spec = scenario.service("service");
        // two chunks of 50 results per job are applied, then collecting stops for good
        ServiceProcess first = scenario.start(spec.with(STALL, 2).with("batch.collect-chunk-size", 50));
        scenario.configureSimulator(Map.of("batchFixedMs", 1000));

        PackagedBatchRun.postRun(first, runId, ATOMS, "anthropic");
        PackagedBatchRun.awaitDb("some results applied and the collector stalled", () -> {
            long succeeded = PackagedBatchRun.itemsByStatus(runId).getOrDefault("SUCCEEDED", 0L);
            return succeeded > 0 && first.logContains("fault " + STALL);
        }, first);
        assertEquals(137, first.kill());
        long applied = PackagedBatchRun.itemsByStatus(runId).getOrDefault("SUCCEEDED", 0L);
        assertTrue(applied > 0 && applied < ATOMS, "killed with part of the results applied: " + applied);

        ServiceProcess second = scenario.start(spec.onPort(first.port()));
        PackagedBatchRun.awaitVerified(second, runId);
        scenario.assertExactlyOnce(runId, ATOMS, "anthropic", 200);
    }
}
