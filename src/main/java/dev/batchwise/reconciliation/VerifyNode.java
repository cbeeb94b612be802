package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.batch.BatchPreparer;
import dev.batchwise.batch.BatchPreparer.PlannedRequest;
import dev.batchwise.database.Database;
import dev.batchwise.llm.BatchLlmService;
import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.Provider;
import dev.batchwise.messaging.InvalidRecordException;
import dev.batchwise.messaging.JsonRecords;
import dev.batchwise.messaging.RecordHandling;
import dev.batchwise.settings.RuntimeSettings;
import dev.batchwise.status.Outbox;
import dev.batchwise.status.RunStage;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Intake of {@code atoms.inferred}: stores each part of a run once (insert-if-absent by run and part number, with
 * the part's digest; its atoms by COPY, {@link PartStore}), and once every part is in, in a transaction right after
 * the last part's, chooses batch or real time ({@link #route}), prepares the batch jobs or hands the run to real
 * time, and writes the status event. A one-record run is part 1 of 1. Parts may come in any order, redelivered or
 * repeated: an identical part again changes nothing (but prepares a whole run whose preparation did not commit);
 * a part that contradicts what is stored (other atoms for a stored part number, another parts total or other
 * options than the run's, a tempId another part has) goes to the DLQ naming run and part. Only a record that is
 * itself invalid is dead-lettered; a database or broker failure is retried with backoff, and the record stays
 * uncommitted until it went through, so a good run is never lost.
 */
@ApplicationScoped
public class VerifyNode {

    public static final String CHANNEL = "atoms-inferred-in";

    private final Database database;
    private final Outbox outbox;
    private final BatchPreparer preparer;
    private final BatchLlmService batches;
    private final RuntimeSettings settings;
    private final LlmConfig llm;
    private final RealtimeRuns realtime;
    private final PartStore parts;

    VerifyNode(Database database, Outbox outbox, BatchPreparer preparer, BatchLlmService batches,
               RuntimeSettings settings, LlmConfig llm, RealtimeRuns realtime, PartStore parts) {
        this.parts = parts;
        this.database = database;
        this.outbox = outbox;
        this.preparer = preparer;
        this.batches = batches;
        this.settings = settings;
        this.llm = llm;
        this.realtime = realtime;
    }

    @Incoming(CHANNEL)
    public Uni<Void> onAtomsInferred(AtomsInferredRecord record) {
        return RecordHandling.handle("atoms.inferred", record::read, part -> part.intake().describe(), this::store);
    }

    /** Reads and checks a record (or a POST body); an {@link InvalidRecordException} names what is wrong. */
    static Intake<AtomsInferred> parse(JsonRecords records, JsonNode tree) {
        AtomsInferred event = records.read(tree, AtomsInferred.class);
        RunPart part = RunPart.of(event.runId(), event.part(), event.parts(), tree.get("atoms"), event.options(),
                event.atoms().stream().map(AtomsInferred.InferredAtom::tempId).toList(), RunParts.ATOMS);
        return new Intake<>(event, part, RunOptions.of(event.options()));
    }

    private Uni<Void> store(EncodedPart encoded) {
        Intake<AtomsInferred> intake = encoded.intake();
        return Uni.createFrom().<PartStore.Outcome>emitter(emitter -> {
                    try {
                        emitter.complete(parts.store(encoded));
                    } catch (SQLException e) {
                        emitter.fail(e);
                    }
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(part -> {
                    if (part.stored() && !part.whole()) {
                        outbox.committed();
                        Log.infof("%s stored: %d of %d parts, %d atoms so far", intake.describe(), part.partsReceived(),
                                intake.parts(), part.atomCount());
                    } else if (!part.stored()) {
                        Log.infof("%s received again with the same atoms: %s", intake.describe(), part.whole()
                                ? "the run is whole but not prepared yet (its last part's preparation did not commit),"
                                + " preparing it now" : "nothing to do");
                    }
                    return part.whole() ? prepareWhole(intake) : Uni.createFrom().voidItem();
                });
    }

    /**
     * Every part is in: chooses the mode and prepares the run, in a transaction of its own after the last part's
     * (which a redelivery of any part finds again should this one not commit). The run row's lock and its status
     * make it happen once.
     */
    private Uni<Void> prepareWhole(Intake<AtomsInferred> intake) {
        String runId = intake.runId();
        return database.pool().withTransaction(tx -> tx.preparedQuery("select atom_count from reconciliation_runs"
                                + " where run_id = $1 and status = 'RECEIVED' and parts_received = parts for update")
                        .execute(Tuple.of(runId))
                        .flatMap(rows -> {
                            if (rows.size() == 0) {
                                return Uni.createFrom().<Routed>nullItem(); // prepared already
                            }
                            int atoms = rows.iterator().next().getInteger("atom_count");
                            return route(tx, runId, intake.options(), atoms).map(choice -> new Routed(atoms, choice));
                        }))
                .invoke(routed -> {
                    if (routed == null) {
                        return;
                    }
                    outbox.committed();
                    ModeChoice choice = routed.choice();
                    Log.infof("run=%s received with %d atoms in %d part%s: %s via %s (%s)", runId, routed.atomCount(),
                            intake.parts(), intake.parts() == 1 ? "" : "s", choice.mode(), choice.provider().wireName(),
                            choice.reason());
                    if (choice.mode() == ReconciliationRun.Mode.REALTIME) {
                        realtime.start(runId);
                    }
                })
                .replaceWithVoid();
    }

    /** A whole run routed: its atoms and the mode chosen. */
    private record Routed(int atomCount, ModeChoice choice) {
    }

    /**
     * Chooses the mode and, in the transaction of the run's last part, prepares the batch jobs or hands the run to
     * real time. Called once per run, when every part is stored.
     */
    private Uni<ModeChoice> route(SqlConnection tx, String runId, RunOptions options, int atomCount) {
        Provider provider = options.provider().orElse(llm.provider());
        // read per run, in the intake's transaction: a PUT /api/config applies to the next run without a restart
        return settings.batch(tx).flatMap(current -> route(tx, runId, provider,
                ModeChoice.of(atomCount, options, provider, current, batches.isAvailable(provider))));
    }

    /** Prepares the batch jobs or hands the run to real time, as {@code choice} says. */
    private Uni<ModeChoice> route(SqlConnection tx, String runId, Provider provider, ModeChoice choice) {
        Uni<Void> prepared;
        String status;
        if (choice.mode() == ReconciliationRun.Mode.BATCH) {
            // octets bound a text's length in chars from above, so no request of the run is larger than this one's;
            // each part's widest texts were measured as it was encoded (V12); its atoms are scanned only for a part
            // stored before that
            prepared = tx.preparedQuery("select coalesce(max(description_octets), 0) as description,"
                            + " coalesce(max(category_octets), 0) as category, coalesce(bool_and(description_octets is not null"
                            + " and category_octets is not null), false) as measured from run_parts where run_id = $1")
                    .execute(Tuple.of(runId))
                    .flatMap(rows -> rows.iterator().next().getBoolean("measured") ? Uni.createFrom().item(rows)
                            : tx.preparedQuery("select coalesce(max(octet_length(description)), 0) as description,"
                                    + " coalesce(max(octet_length(category)), 0) as category from atoms"
                                    + " where run_id = $1").execute(Tuple.of(runId)))
                    .map(rows -> widest(rows.iterator().next()))
                    .flatMap(widest -> preparer.prepare(tx, runId, RunStage.VERIFYING, provider, widest,
                            "select id from atoms where run_id = $1", () -> plannedRequests(tx, runId)))
                    .replaceWithVoid();
            status = "BATCH_PROCESSING";
        } else {
            prepared = Uni.createFrom().voidItem();
            status = "VERIFYING";
        }
        return prepared
                .flatMap(ignored -> tx.preparedQuery("update reconciliation_runs set status = $2, mode = $3,"
                                + " mode_reason = $4, provider = $5, updated_at = now() where run_id = $1")
                        .execute(Tuple.of(runId, status, choice.mode().name(), choice.reason(), provider.name())))
                .flatMap(ignored -> outbox.statusChanged(tx, runId))
                .replaceWith(choice);
    }

    /**
     * A request at least as large as any of the run's: texts of the longest lengths (in octets, at least the length
     * in chars), a category at least as long as {@code none}, which a blank one becomes, and an atom id's custom id.
     */
    private static LlmRequest widest(Row lengths) {
        return AtomRequests.of(new UUID(0, 0).toString(), "x".repeat(lengths.getInteger("description")),
                "x".repeat(Math.max(4, lengths.getInteger("category"))));
    }

    /** The requests of every atom of the run, all parts. */
    private static Uni<List<PlannedRequest>> plannedRequests(SqlConnection tx, String runId) {
        return tx.preparedQuery("select id, description, category from atoms where run_id = $1").execute(Tuple.of(runId))
                // planning the requests of 100,000 atoms is CPU work of about a second: off the event loop
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(VerifyNode::plannedRequests);
    }

    private static List<PlannedRequest> plannedRequests(RowSet<Row> atoms) {
        List<PlannedRequest> planned = new ArrayList<>(atoms.size());
        for (Row row : atoms) {
            UUID id = row.getUUID("id");
            planned.add(new PlannedRequest(id, AtomRequests.of(id.toString(), row.getString("description"),
                    row.getString("category"))));
        }
        return planned;
    }
}
