package dev.batchwise.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.batchwise.testing.ServiceProcess;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 right after submission: the provider runs the batches while the service is dead; the restarted service
 * finds them by the ids it stored, polls and collects them, and nothing is sent twice.
 */
class KillAfterSubmitIT {

    private static final int ATOMS = 500;
    private static PackagedBatchRun scenario;

    @BeforeAll
    static void begin() {
        scenario = PackagedBatchRun.begin("kill-after-submit");
    }

    @AfterAll
    static void end() {
        if (scenario != null) {
            scenario.close();
        }
    }

    @Test
    void batchesRunningAtTheProviderAreCollectedOnceAfterARestart() throws Exception {
        String runId = "kill-after-submit-" + System.nanoTime();
        ServiceProcess.Spec spec = scenario.service("service");
        ServiceProcess first = scenario.start(spec);
        // long enough that all three batches are still running when the service dies
        scenario.configureSimulator(Map.of("batchFixedMs", 8000));

        PackagedBatchRun.postRun(first, runId, ATOMS, "anthropic");
        PackagedBatchRun.awaitDb("three jobs with a provider batch id", () -> PackagedBatchRun.jobsWithBatch(runId) == 3,
                first);
        assertEquals(137, first.kill());
        assertEquals(Map.of("PENDING", (long) ATOMS), PackagedBatchRun.itemsByStatus(runId),
                "killed before any result was collected (else batchFixedMs is too short for this machine)");

        ServiceProcess second = scenario.start(spec.onPort(first.port()));
        PackagedBatchRun.awaitVerified(second, runId);
        scenario.assertExactlyOnce(runId, ATOMS, "anthropic", 200);
    }
}
