package dev.batchwise.reconciliation;

import dev.batchwise.database.Database;
import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.batch.BatchPreparer;
import dev.batchwise.batch.BatchPreparer.PlannedRequest;
import dev.batchwise.llm.BatchLlmService;
import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.Provider;
import dev.batchwise.messaging.InvalidRecordException;
import dev.batchwise.messaging.JsonRecords;
import dev.batchwise.messaging.RecordHandling;
import dev.batchwise.settings.RuntimeSettings;
import dev.batchwise.status.Outbox;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Intake of {@code atoms.inferred}: stores the run and its atoms once (insert-if-absent), chooses batch or real
 * time, and in the same transaction prepares the batch jobs or hands the run to real time, and writes the status
 * event. Only a record that is itself invalid goes to the dead-letter topic; a database or broker failure is
 * retried with backoff, and the record stays uncommitted until it went through, so a good run is never lost.
 * An identical redelivery changes nothing; a record that contradicts a stored run goes to the DLQ by name.
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
        return RecordHandling.handle("atoms.inferred", () -> parse(records, value),
                intake -> "run=" + intake.event().runId(), this::store);
    }

    /** A record read and checked: the event, its atoms as sent, its options and its digest. */
    record Intake(AtomsInferred event, JsonNode atomsJson, RunOptions options, String contentHash) {
    }

    /** Reads and checks a record (or a POST body); an {@link InvalidRecordException} names what is wrong. */
    static Intake parse(JsonRecords records, String value) {
        JsonNode tree = records.tree(value);
        AtomsInferred event = records.read(tree, AtomsInferred.class);
        Set<String> seen = new HashSet<>();
        for (AtomsInferred.InferredAtom atom : event.atoms()) {
            if (!seen.add(atom.tempId())) {
                throw new InvalidRecordException("atoms: tempId '" + atom.tempId() + "' appears more than once");
            }
        }
        RunOptions options = RunOptions.of(event.options());
        JsonNode atoms = tree.get("atoms");
        return new Intake(event, atoms, options, sha256(atoms + "|" + event.options()));
    }

    private Uni<Void> store(Intake intake) {
        AtomsInferred event = intake.event();
        return database.pool().withTransaction(tx -> tx.preparedQuery("insert into reconciliation_runs (run_id, status,"
                                + " atom_count, options, content_hash) values ($1, 'RECEIVED', $2, $3::text::jsonb, $4)"
                                + " on conflict (run_id) do nothing")
                        .execute(Tuple.of(event.runId(), event.atoms().size(),
                                event.options() == null || event.options().isNull() ? null : event.options().toString(),
                                intake.contentHash()))
                        .flatMap(inserted -> inserted.rowCount() == 0 ? known(tx, intake)
                                : insertAtoms(tx, intake).flatMap(atomIds -> route(tx, intake, atomIds))))
                .invoke(choice -> {
                    if (choice == null) {
                        return;
                    }
                    outbox.committed();
                    Log.infof("run=%s received with %d atoms: %s via %s (%s)", event.runId(), event.atoms().size(),
                            choice.mode(), choice.provider().wireName(), choice.reason());
                    if (choice.mode() == ReconciliationRun.Mode.REALTIME) {
                        realtime.start(event.runId());
                    }
                })
                .replaceWithVoid();
    }

    /** The run is stored already: the same record again is a no-op, another one is refused by name. */
    private Uni<ModeChoice> known(SqlConnection tx, Intake intake) {
        String runId = intake.event().runId();
        return tx.preparedQuery("select content_hash, atom_count from reconciliation_runs where run_id = $1")
                .execute(Tuple.of(runId)).map(rows -> {
                    var row = rows.iterator().next();
                    if (!intake.contentHash().equals(row.getString("content_hash"))) {
                        throw new InvalidRecordException("run '" + runId + "' was already received with other atoms ("
                                + row.getInteger("atom_count") + " stored, " + intake.event().atoms().size()
                                + " in this record); a run's atoms cannot change");
                    }
                    Log.infof("run=%s received again with the same atoms: nothing to do", runId);
                    return null;
                });
    }

    private Uni<List<UUID>> insertAtoms(SqlConnection tx, Intake intake) {
        AtomsInferred event = intake.event();
        int n = event.atoms().size();
        List<UUID> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(UUID.randomUUID());
        }
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
                String[] payloads = new String[size];
                for (int i = start; i < to; i++) {
                    AtomsInferred.InferredAtom atom = event.atoms().get(i);
                    atomIds[i - start] = ids.get(i);
                    tempIds[i - start] = atom.tempId();
                    descriptions[i - start] = atom.description();
                    categories[i - start] = atom.category();
                    payloads[i - start] = intake.atomsJson().get(i).toString();
                }
                return tx.preparedQuery("insert into atoms (id, run_id, temp_id, description, category, payload)"
                                + " select u.id, $1, u.temp_id, u.description, u.category, u.payload::jsonb"
                                + " from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[])"
                                + " as u(id, temp_id, description, category, payload)")
                        .execute(Tuple.of(event.runId(), atomIds, tempIds, descriptions, categories).addValue(payloads))
                        .replaceWithVoid();
            }));
        }
        return Multi.createFrom().iterable(inserts).onItem().transformToUniAndConcatenate(u -> u)
                .collect().last().replaceWith(ids);
    }

    /** Chooses the mode and, in the intake's transaction, prepares the batch jobs or hands the run to real time. */
    private Uni<ModeChoice> route(SqlConnection tx, Intake intake, List<UUID> atomIds) {
        AtomsInferred event = intake.event();
        Provider provider = intake.options().provider().orElse(llm.provider());
        // read per run, in the intake's transaction: a PUT /api/config applies to the next run without a restart
        return settings.batch(tx).flatMap(current -> route(tx, event, provider, atomIds,
                ModeChoice.of(event.atoms().size(), intake.options(), provider, current, batches.isAvailable(provider))));
    }

    /** Prepares the batch jobs or hands the run to real time, as {@code choice} says. */
    private Uni<ModeChoice> route(SqlConnection tx, AtomsInferred event, Provider provider, List<UUID> atomIds,
                                  ModeChoice choice) {
        Uni<Void> prepared;
        String status;
        if (choice.mode() == ReconciliationRun.Mode.BATCH) {
            List<PlannedRequest> planned = new ArrayList<>(atomIds.size());
            for (int i = 0; i < atomIds.size(); i++) {
                AtomsInferred.InferredAtom atom = event.atoms().get(i);
                planned.add(new PlannedRequest(atomIds.get(i),
                        AtomRequests.of(atomIds.get(i).toString(), atom.description(), atom.category())));
            }
            prepared = preparer.prepare(tx, event.runId(), provider, planned).replaceWithVoid();
            status = "BATCH_PROCESSING";
        } else {
            prepared = Uni.createFrom().voidItem();
            status = "VERIFYING";
        }
        return prepared
                .flatMap(ignored -> tx.preparedQuery("update reconciliation_runs set status = $2, mode = $3,"
                                + " mode_reason = $4, provider = $5, updated_at = now() where run_id = $1")
                        .execute(Tuple.of(event.runId(), status, choice.mode().name(), choice.reason(), provider.name())))
                .flatMap(ignored -> outbox.statusChanged(tx, event.runId()))
                .replaceWith(choice);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
