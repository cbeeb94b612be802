package dev.batchwise.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.testing.Db;
import dev.batchwise.testing.ServiceProcess;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hardest crash of the submit: the provider has accepted the batch, and the service dies before the batch id
 * is in the database. After the restart the job is found in SUBMITTING; its batch must be found at the provider
 * and adopted, never submitted a second time (which would send, and bill, every request twice).
 */
class HaltAfterProviderAcceptIT {

    private static final int ATOMS = 500;
    private static final String HALT = "batchwise.faults.halt-after-provider-accept";

    @ParameterizedTest
    @ValueSource(strings = {"anthropic", "openai"})
    void aBatchAcceptedJustBeforeACrashIsAdoptedNotSubmittedAgain(String provider) throws Exception {
        String runId = "halt-after-accept-" + provider + "-" + System.nanoTime();
        try (PackagedBatchRun scenario = PackagedBatchRun.begin("halt-after-accept-" + provider)) {
            ServiceProcess.Spec spec = scenario.service("service");
            ServiceProcess first = scenario.start(spec.with(HALT, true));
            scenario.configureSimulator(Map.of("batchFixedMs", 1000));

            PackagedBatchRun.postRun(first, runId, ATOMS, provider);
            assertEquals(137, first.awaitExit(PackagedBatchRun.RUN), "the fault halts the JVM:\n" + first.tail(40));
            assertTrue(first.logContains("fault " + HALT), first.tail(40));
            assertEquals(1, Db.number("select count(*) from batch_jobs where reconciliation_run_id = ?"
                    + " and status = 'SUBMITTING' and provider_batch_id is null", runId), PackagedBatchRun.summary(runId));
            assertEquals(1, scenario.simulatorStats(provider).get("batchesCreated").asLong(),
                    "the provider has the batch the database does not know of");

            ServiceProcess second = scenario.start(spec.onPort(first.port()));
            PackagedBatchRun.awaitVerified(second, runId);
            scenario.assertExactlyOnce(runId, ATOMS, provider, 200);
        }
    }
}
