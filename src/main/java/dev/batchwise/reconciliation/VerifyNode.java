package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.batch.BatchPreparer;
import dev.batchwise.batch.BatchPreparer.PlannedRequest;
import dev.batchwise.database.Database;
import dev.batchwise.llm.BatchLlmService;
import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.Provider;
import dev.batchwise.messaging.InvalidRecordException;
import dev.batchwise.messaging.JsonRecords;
import dev.batchwise.messaging.RecordHandling;
import dev.batchwise.settings.RuntimeSettings;
import dev.batchwise.status.Outbox;
import dev.batchwise.status.RunStage;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Intake of {@code atoms.inferred}: stores each part of a run once (insert-if-absent by run and part number, with
 * the part's digest), and when the last part is in, in the transaction that stores it, chooses batch or real
 * time ({@link #route}), prepares the batch jobs or hands the run to real time, and writes the status event. A
 * one-record run is part 1 of 1. Parts may come in any order, redelivered or repeated: an identical part again
 * changes nothing; a part that contradicts what is stored (other atoms for a stored part number, another parts
 * total or other options than the run's, a tempId another part has) goes to the DLQ naming run and part. Only a
 * record that is itself invalid is dead-lettered; a database or broker failure is retried with backoff, and the
 * record stays uncommitted until it went through, so a good run is never lost.
 */
@ApplicationScoped
public class VerifyNode {

    public static final String CHANNEL = "atoms-inferred-in";
    /** Rows per multi-row insert. */
    private static final int ROWS_PER_STATEMENT = 5000;

    private final JsonRecords records;
    private final Database database;
    private final Outbox outbox;
    private final BatchPreparer preparer;
    private final BatchLlmService batches;
    private final RuntimeSettings settings;
    private final LlmConfig llm;
    private final RealtimeRuns realtime;

    VerifyNode(JsonRecords records, Database database, Outbox outbox, BatchPreparer preparer, BatchLlmService batches,
               RuntimeSettings settings, LlmConfig llm, RealtimeRuns realtime) {
        this.records = records;
        this.database = database;
        this.outbox = outbox;
        this.preparer = preparer;
        this.batches = batches;
        this.settings = settings;
        this.llm = llm;
        this.realtime = realtime;
    }

    @Incoming(CHANNEL)
    public Uni<Void> onAtomsInferred(String value) {
        return RecordHandling.handle("atoms.inferred", () -> parse(records, records.tree(value)), Intake::describe,
                this::store);
    }

    /** A record read and checked: one part of a run (a whole run is part 1 of 1), its atoms as sent, its options. */
    record Intake(AtomsInferred event, RunPart of, RunOptions options) {

        String runId() {
            return event.runId();
        }

        /** The atoms as sent, so fields we do not model reach the stored payload. */
        JsonNode atomsJson() {
            return of.entries();
        }

        int part() {
            return of.part();
        }

        int parts() {
            return of.parts();
        }

        String describe() {
            return of.describe();
        }
    }

    /** Reads and checks a record (or a POST body); an {@link InvalidRecordException} names what is wrong. */
    static Intake parse(JsonRecords records, JsonNode tree) {
        AtomsInferred event = records.read(tree, AtomsInferred.class);
        RunPart part = RunPart.of(event.runId(), event.part(), event.parts(), tree.get("atoms"), event.options(),
                event.atoms().stream().map(AtomsInferred.InferredAtom::tempId).toList(), RunParts.ATOMS);
        return new Intake(event, part, RunOptions.of(event.options()));
    }

    /** What storing a part did; {@code choice} only when it completed the run, null for a redelivery. */
    private record Stored(int partsReceived, int atomCount, ModeChoice choice) {
    }

    private Uni<Void> store(Intake intake) {
        String runId = intake.runId();
        return database.pool().withTransaction(tx -> tx.preparedQuery("insert into reconciliation_runs (run_id, status,"
                                + " atom_count, parts, parts_received, options) values ($1, 'RECEIVED', 0, $2, 0,"
                                + " $3::text::jsonb) on conflict (run_id) do nothing")
                        .execute(Tuple.of(runId, intake.parts(), intake.of().optionsText()))
                        // the run row is the lock that orders its parts, whichever instance stores them
                        .flatMap(ignored -> tx.preparedQuery("select parts, stage, options::text as options, options is not"
                                        + " distinct from $2::text::jsonb as same_options from reconciliation_runs"
                                        + " where run_id = $1 for update")
                                .execute(Tuple.of(runId, intake.of().optionsText())))
                        .flatMap(rows -> {
                            Row run = rows.iterator().next();
                            if (RunStage.INFERRING.name().equals(run.getString("stage"))) {
                                throw new InvalidRecordException(intake.of().name() + ": the run is still inferring its"
                                        + " atoms from tests (inference.requested); Batchwise publishes them when it is"
                                        + " done");
                            }
                            intake.of().matches(run.getInteger("parts"), run);
                            return storePart(tx, intake);
                        }))
                .invoke(stored -> {
                    if (stored == null) {
                        return;
                    }
                    outbox.committed();
                    ModeChoice choice = stored.choice();
                    if (choice == null) {
                        Log.infof("%s stored: %d of %d parts, %d atoms so far", intake.describe(), stored.partsReceived(),
                                intake.parts(), stored.atomCount());
                        return;
                    }
                    Log.infof("run=%s received with %d atoms in %d part%s: %s via %s (%s)", runId, stored.atomCount(),
                            intake.parts(), intake.parts() == 1 ? "" : "s", choice.mode(), choice.provider().wireName(),
                            choice.reason());
                    if (choice.mode() == ReconciliationRun.Mode.REALTIME) {
                        realtime.start(runId);
                    }
                })
                .replaceWithVoid();
    }

    /** Under the run's lock: the part, its atoms, the run's totals, and the run's preparation once it is whole. */
    private Uni<Stored> storePart(SqlConnection tx, Intake intake) {
        String runId = intake.runId();
        int atoms = intake.event().atoms().size();
        String[] payloads = intake.of().payloads();
        String hash = intake.of().contentHash(payloads);
        return tx.preparedQuery("insert into run_parts (run_id, part, content_hash, atom_count) values ($1, $2, $3, $4)"
                        + " on conflict (run_id, part) do nothing")
                .execute(Tuple.of(runId, intake.part(), hash, atoms))
                .flatMap(inserted -> inserted.rowCount() == 0
                        ? intake.of().known(tx, "run_parts", "atom_count", hash).replaceWith((Stored) null)
                        : insertAtoms(tx, intake, payloads)
                        .flatMap(ignored -> tx.preparedQuery("update reconciliation_runs set parts_received ="
                                        + " parts_received + 1, atom_count = atom_count + $2, updated_at = now()"
                                        + " where run_id = $1 returning parts_received, atom_count")
                                .execute(Tuple.of(runId, atoms)))
                        .flatMap(updated -> {
                            Row run = updated.iterator().next();
                            int received = run.getInteger("parts_received");
                            int total = run.getInteger("atom_count");
                            return received < intake.parts()
                                    ? outbox.statusChanged(tx, runId).replaceWith(new Stored(received, total, null))
                                    : route(tx, runId, intake.options(), total).map(c -> new Stored(received, total, c));
                        }));
    }

    /** Inserts the part's atoms; a tempId that another part of the run has already is refused by name. */
    private Uni<Void> insertAtoms(SqlConnection tx, Intake intake, String[] allPayloads) {
        AtomsInferred event = intake.event();
        int n = event.atoms().size();
        List<Uni<Void>> inserts = new ArrayList<>();
        for (int from = 0; from < n; from += ROWS_PER_STATEMENT) {
            int start = from;
            int to = Math.min(n, from + ROWS_PER_STATEMENT);
            inserts.add(Uni.createFrom().deferred(() -> {
                int size = to - start;
                UUID[] atomIds = new UUID[size];
                String[] tempIds = new String[size];
                String[] descriptions = new String[size];
                String[] categories = new String[size];
                String[] payloads = java.util.Arrays.copyOfRange(allPayloads, start, to);
                for (int i = start; i < to; i++) {
                    AtomsInferred.InferredAtom atom = event.atoms().get(i);
                    atomIds[i - start] = UUID.randomUUID();
                    tempIds[i - start] = atom.tempId();
                    descriptions[i - start] = atom.description();
                    categories[i - start] = atom.category();
                }
                return tx.preparedQuery("insert into atoms (id, run_id, temp_id, description, category, payload)"
                                + " select u.id, $1, u.temp_id, u.description, u.category, u.payload::jsonb"
                                + " from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[])"
                                + " as u(id, temp_id, description, category, payload)")
                        .execute(Tuple.of(event.runId(), atomIds, tempIds, descriptions, categories).addValue(payloads))
                        // a plain insert: the unique key refuses a tempId another part has (the transaction rolls
                        // back); "on conflict do nothing" made every insert a speculative one, a quarter slower
                        .onFailure(VerifyNode::tempIdTaken).transform(failure -> new InvalidRecordException(
                                intake.of().name() + ": tempId '" + takenTempId((PgException) failure)
                                        + "' is already stored by another part of the run"))
                        .replaceWithVoid();
            }));
        }
        return Multi.createFrom().iterable(inserts).onItem().transformToUniAndConcatenate(u -> u)
                .collect().last().replaceWithVoid();
    }

    private static boolean tempIdTaken(Throwable failure) {
        return failure instanceof PgException e && "23505".equals(e.getSqlState())
                && "atoms_run_temp_id_key".equals(e.getConstraint());
    }

    /** From the detail {@code Key (run_id, temp_id)=(<runId>, <tempId>) already exists.}; runIds have no ", ". */
    private static String takenTempId(PgException e) {
        String detail = e.getDetail() == null ? "" : e.getDetail();
        int from = detail.indexOf(", ", detail.indexOf(")=(") + 1);
        int to = detail.lastIndexOf(") already exists");
        return from < 0 || to < from ? "?" : detail.substring(from + 2, to);
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
            prepared = tx.preparedQuery("select id, description, category from atoms where run_id = $1")
                    .execute(Tuple.of(runId))
                    // planning the requests of 100,000 atoms is CPU work of about a second: off the event loop
                    .emitOn(Infrastructure.getDefaultWorkerPool())
                    .map(VerifyNode::plannedRequests)
                    .flatMap(planned -> preparer.prepare(tx, runId, RunStage.VERIFYING, provider, planned)).replaceWithVoid();
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

    /** The requests of every atom of the run, all parts, as read back in the transaction that stored the last one. */
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
