package dev.batchwise.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.testing.Db;
import dev.batchwise.testing.KafkaGroups;
import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.ServiceProcess;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The README's run command as {@code bin/demo} runs it: the packaged jar in the {@code demo} profile, with its
 * own provider simulator, publishes a run of 100 atoms at start-up; the run goes through a provider batch and
 * ends VERIFIED with every atom scored. (On the test database and broker instead of the demo's own.)
 */
class DemoIT {

    @Test
    void theDemoRunOf100AtomsEndsVerifiedWithScores() {
        String bootstrap = LocalKafkaResource.bootstrapServers();
        Db.resetSchema();
        KafkaGroups.skipToEnd(bootstrap);
        try (ServiceProcess demo = ServiceProcess.spec("demo", "demo")
                .with("batchwise.db.name", Db.name())
                .with("batchwise.db.host", Db.host())
                .with("batchwise.db.port", Db.port())
                .with("kafka.bootstrap.servers", bootstrap)
                .start()) {
            demo.awaitReady(Duration.ofMinutes(3));
            Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() ->
                    Db.number("select count(*) from reconciliation_runs where run_id like 'demo-%'"
                            + " and status = 'VERIFIED'") == 1);
            assertEquals(100L, Db.number("select atom_count from reconciliation_runs where run_id like 'demo-%'"));
            assertEquals("BATCH", Db.rows("select mode from reconciliation_runs where run_id like 'demo-%'")
                    .get(0).get("mode"));
            assertEquals(100L, Db.number("select count(*) from atoms a join reconciliation_runs r on r.run_id = a.run_id"
                    + " where r.run_id like 'demo-%' and a.scored_at is not null"));
            long scored = Db.number("select count(*) from atoms a join reconciliation_runs r on r.run_id = a.run_id"
                    + " where r.run_id like 'demo-%' and a.quality_score is not null");
            assertTrue(scored > 0, "the demo's atoms have quality scores");
        }
    }
}
