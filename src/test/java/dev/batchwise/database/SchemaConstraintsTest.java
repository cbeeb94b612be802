package dev.batchwise.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.vertx.RunOnVertxContext;
import io.quarkus.test.vertx.UniAsserter;
import io.smallrye.mutiny.Uni;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The V1 schema makes duplicates and unknown statuses impossible, whatever the code above it does. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class SchemaConstraintsTest {

    @Test
    @RunOnVertxContext
    void aRunIdIsStoredOnce(UniAsserter asserter) {
        String runId = "run-" + UUID.randomUUID();
        asserter.execute(() -> sql("insert into reconciliation_runs (run_id, atom_count) values ('" + runId + "', 0)"));
        asserter.assertFailedWith(() -> sql("insert into reconciliation_runs (run_id, atom_count) values ('" + runId + "', 0)"),
                e -> assertTrue(message(e).contains("reconciliation_runs_pkey"), message(e)));
    }

    @Test
    @RunOnVertxContext
    void aTempIdIsStoredOncePerRun(UniAsserter asserter) {
        String runId = "run-" + UUID.randomUUID();
        asserter.execute(() -> sql("insert into reconciliation_runs (run_id, atom_count) values ('" + runId + "', 2)"));
        asserter.execute(() -> sql(atom(runId, "t-1")));
        asserter.assertFailedWith(() -> sql(atom(runId, "t-1")),
                e -> assertTrue(message(e).contains("atoms_run_temp_id_key"), message(e)));
    }

    @Test
    @RunOnVertxContext
    void aCustomIdIsStoredOncePerJobAndMustBeProviderSafe(UniAsserter asserter) {
        UUID job = UUID.randomUUID();
        asserter.execute(() -> sql("insert into batch_jobs (id, provider, total_requests) values ('" + job + "', 'ANTHROPIC', 2)"));
        asserter.execute(() -> sql(item(job, "atom-1")));
        asserter.assertFailedWith(() -> sql(item(job, "atom-1")),
                e -> assertTrue(message(e).contains("batch_items_job_custom_id_key"), message(e)));
        asserter.assertFailedWith(() -> sql(item(job, "has space")),
                e -> assertTrue(message(e).contains("batch_items_custom_id_check"), message(e)));
    }

    @Test
    @RunOnVertxContext
    void statusesAreCheckedAgainstTheirEnums(UniAsserter asserter) {
        asserter.assertFailedWith(() -> sql("insert into batch_jobs (id, provider, status, total_requests) values ('"
                        + UUID.randomUUID() + "', 'ANTHROPIC', 'SLEEPING', 1)"),
                e -> assertTrue(message(e).contains("batch_jobs_status_check"), message(e)));
        asserter.assertFailedWith(() -> sql("insert into batch_jobs (id, provider, total_requests) values ('"
                        + UUID.randomUUID() + "', 'COHERE', 1)"),
                e -> assertTrue(message(e).contains("batch_jobs_provider_check"), message(e)));
        asserter.assertFailedWith(() -> sql("insert into reconciliation_runs (run_id, status, atom_count) values ('r-"
                        + UUID.randomUUID() + "', 'DONE', 0)"),
                e -> assertTrue(message(e).contains("reconciliation_runs_status_check"), message(e)));
    }

    @Test
    @RunOnVertxContext
    void thePollerHasItsIndex(UniAsserter asserter) {
        asserter.assertThat(() -> Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                        "select indexdef from pg_indexes where indexname = 'batch_jobs_status_next_poll_idx'", String.class)
                .getSingleResult())), def -> assertEquals(
                "CREATE INDEX batch_jobs_status_next_poll_idx ON public.batch_jobs USING btree (status, next_poll_at)", def));
    }

    private static String atom(String runId, String tempId) {
        return "insert into atoms (id, run_id, temp_id, description, payload) values ('" + UUID.randomUUID() + "', '"
                + runId + "', '" + tempId + "', 'd', '{}')";
    }

    private static String item(UUID job, String customId) {
        return "insert into batch_items (id, job_id, custom_id) values ('" + UUID.randomUUID() + "', '" + job + "', '"
                + customId + "')";
    }

    private static Uni<Integer> sql(String statement) {
        return Panache.withTransaction(() -> Panache.getSession()
                .flatMap(session -> session.createNativeQuery(statement).executeUpdate()));
    }

    private static String message(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
