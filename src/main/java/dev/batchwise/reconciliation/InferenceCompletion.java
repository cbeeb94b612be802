package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchwise.messaging.Topics;
import dev.batchwise.scoring.AtomInferenceService;
import dev.batchwise.status.Outbox;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The end of a run's inference stage: once every test has an outcome, in one transaction, the run moves to stage
 * verifying (RECEIVED, its inference mode and reason kept apart), and the atoms read from the answers, in test
 * order, go on {@code atoms.inferred} under the run's id and options, in parts ({@link RunParts}) through the
 * outbox. VerifyNode then takes them in like any producer's: the same intake, mode choice and scoring. Each atom's
 * tempId comes from (runId, testId, place in the answer), so the same answers always give the same atoms; each
 * atom also carries its {@code testId}. A run whose tests yielded no atom at all ends FAILED, saying so.
 */
@ApplicationScoped
class InferenceCompletion {

    private final ObjectMapper mapper;
    private final IntakeConfig intake;
    private final Outbox outbox;

    InferenceCompletion(ObjectMapper mapper, IntakeConfig intake, Outbox outbox) {
        this.mapper = mapper;
        this.intake = intake;
        this.outbox = outbox;
    }

    /** The run's atoms as published: its parts, and how many tests yielded none. */
    private record Published(List<byte[]> parts, int atoms, int testsWithout) {
    }

    Uni<Boolean> finishIfDone(SqlConnection tx, String runId) {
        return tx.preparedQuery("select options::text as options, test_count from reconciliation_runs"
                        + " where run_id = $1 and stage = 'INFERRING' and status in ('VERIFYING', 'BATCH_PROCESSING')"
                        + " and not exists (select 1 from inference_tests where run_id = $1 and inferred_at is null)"
                        + " for update")
                .execute(Tuple.of(runId))
                .flatMap(runs -> {
                    if (runs.size() == 0) {
                        return Uni.createFrom().item(false);
                    }
                    String options = runs.iterator().next().getString("options");
                    return tx.preparedQuery("select test_id, atoms::text as atoms from inference_tests where run_id = $1"
                                    + " order by part, position").execute(Tuple.of(runId))
                            // reading and splitting a few thousand answers is CPU work: off the event loop
                            .emitOn(Infrastructure.getDefaultWorkerPool())
                            .map(tests -> publish(runId, tests, options))
                            .flatMap(published -> published.atoms() == 0 ? failed(tx, runId)
                                    : handOn(tx, runId, published))
                            .replaceWith(true);
                });
    }

    private Published publish(String runId, RowSet<Row> tests, String optionsText) {
        List<JsonNode> atoms = new ArrayList<>();
        int without = 0;
        for (Row test : tests) {
            String testId = test.getString("test_id");
            JsonNode stored = read(test.getString("atoms"));
            if (stored.isEmpty()) {
                without++;
            }
            for (JsonNode atom : stored) {
                ObjectNode published = mapper.createObjectNode();
                published.put("tempId", AtomInferenceService.tempId(runId, testId, atom.path("index").asInt()));
                published.put("description", atom.path("description").asText());
                published.put("category", atom.path("category").asText());
                published.put("testId", testId);
                atoms.add(published);
            }
        }
        JsonNode options = optionsText == null ? null : read(optionsText);
        List<byte[]> parts = atoms.isEmpty() ? List.of()
                : RunParts.split(mapper, runId, RunParts.ATOMS, atoms, options, intake.partMaxAtoms(), intake.partMaxBytes());
        return new Published(parts, atoms.size(), without);
    }

    private Uni<Void> handOn(SqlConnection tx, String runId, Published published) {
        int parts = published.parts().size();
        Log.infof("run=%s inferred: %d atoms (%d tests yielded none), on to verifying in %d part%s", runId,
                published.atoms(), published.testsWithout(), parts, parts == 1 ? "" : "s");
        return tx.preparedQuery("update reconciliation_runs set stage = 'VERIFYING', status = 'RECEIVED', parts = $2,"
                        + " parts_received = 0, atom_count = 0, inference_mode = mode, inference_mode_reason = mode_reason,"
                        + " mode = null, mode_reason = null, inferred_at = now(), lease_token = null, lease_until = null,"
                        + " updated_at = now() where run_id = $1")
                .execute(Tuple.of(runId, parts))
                .flatMap(ignored -> Multi.createFrom().iterable(published.parts())
                        .onItem().transformToUniAndConcatenate(part -> outbox.addJson(tx, Topics.ATOMS_INFERRED, runId,
                                new String(part, StandardCharsets.UTF_8)))
                        .collect().last())
                .flatMap(ignored -> outbox.statusChanged(tx, runId));
    }

    private Uni<Void> failed(SqlConnection tx, String runId) {
        Log.warnf("run=%s inferred no atom from any test: FAILED", runId);
        return tx.preparedQuery("update reconciliation_runs set status = 'FAILED', error = 'no test yielded an atom"
                        + " (see each test''s parse issue or error)', inference_mode = mode,"
                        + " inference_mode_reason = mode_reason, inferred_at = now(), completed_at = now(),"
                        + " lease_token = null, lease_until = null, updated_at = now() where run_id = $1")
                .execute(Tuple.of(runId))
                .flatMap(ignored -> outbox.statusChanged(tx, runId));
    }

    private JsonNode read(String json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
