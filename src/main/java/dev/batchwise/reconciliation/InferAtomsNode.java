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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Intake of {@code inference.requested}, the run's first stage: stores each part of a run's tests once (by run and
 * part, with the part's digest, as {@link VerifyNode} stores atoms), the run in stage INFERRING; when the last part
 * is in, in its transaction, chooses batch or real time by the same rules, settings and options as VerifyNode
 * (counting tests), fails the tests whose request is too large to send ({@link BatchLlmService#tooLarge}), and
 * prepares the batch jobs of the rest or hands the run to real time. Each test's request has the shared, cacheable
 * inference prompt. A record that is itself invalid goes to {@code inference.requested.dlq} with its reason; a
 * database or broker failure is retried and the record stays uncommitted until it went through.
 */
@ApplicationScoped
public class InferAtomsNode {

    public static final String CHANNEL = "inference-requested-in";
    /** Rows per multi-row insert: tests carry their context, so fewer than atoms. */
    private static final int ROWS_PER_STATEMENT = 1000;

    private final JsonRecords records;
    private final Database database;
    private final Outbox outbox;
    private final BatchPreparer preparer;
    private final BatchLlmService batches;
    private final RuntimeSettings settings;
    private final LlmConfig llm;
    private final RealtimeRuns realtime;
    private final TestWorkload tests;

    InferAtomsNode(JsonRecords records, Database database, Outbox outbox, BatchPreparer preparer,
                   BatchLlmService batches, RuntimeSettings settings, LlmConfig llm, RealtimeRuns realtime,
                   TestWorkload tests) {
        this.records = records;
        this.database = database;
        this.outbox = outbox;
        this.preparer = preparer;
        this.batches = batches;
        this.settings = settings;
        this.llm = llm;
        this.realtime = realtime;
        this.tests = tests;
    }

    @Incoming(CHANNEL)
    public Uni<Void> onInferenceRequested(String value) {
        return RecordHandling.handle("inference.requested", () -> parse(records, records.tree(value)),
                Intake::describe, this::store);
    }

    /** Reads and checks a record (or a POST body); an {@link InvalidRecordException} names what is wrong. */
    static Intake<InferenceRequested> parse(JsonRecords records, JsonNode tree) {
        InferenceRequested event = records.read(tree, InferenceRequested.class);
        RunPart part = RunPart.of(event.runId(), event.part(), event.parts(), tree.get("tests"), event.options(),
                event.tests().stream().map(InferenceRequested.RequestedTest::testId).toList(), RunParts.TESTS);
        return new Intake<>(event, part, RunOptions.of(event.options()));
    }

    /** What storing a part did; {@code choice} only when it completed the run, null for a redelivery. */
    private record Stored(int partsReceived, int testCount, ModeChoice choice) {
    }

    private Uni<Void> store(Intake<InferenceRequested> intake) {
        String runId = intake.runId();
        return database.pool().withTransaction(tx -> tx.preparedQuery("insert into reconciliation_runs (run_id, status,"
                                + " stage, atom_count, parts, parts_received, inference_parts, options) values ($1,"
                                + " 'RECEIVED', 'INFERRING', 0, 1, 0, $2, $3::text::jsonb) on conflict (run_id) do nothing")
                        .execute(Tuple.of(runId, intake.parts(), intake.of().optionsText()))
                        // the run row is the lock that orders its parts, whichever instance stores them
                        .flatMap(ignored -> tx.preparedQuery("select inference_parts, options::text as options,"
                                        + " options is not distinct from $2::text::jsonb as same_options"
                                        + " from reconciliation_runs where run_id = $1 for update")
                                .execute(Tuple.of(runId, intake.of().optionsText())))
                        .flatMap(rows -> {
                            Row run = rows.iterator().next();
                            Integer parts = run.getInteger("inference_parts");
                            if (parts == null) {
                                throw new InvalidRecordException(intake.of().name() + ": run '" + runId + "' came as"
                                        + " atoms (atoms.inferred) and has no inference stage; a new run needs a new"
                                        + " runId");
                            }
                            intake.of().matches(parts, run.getBoolean("same_options"), run.getString("options"));
                            return storePart(tx, intake);
                        }))
                .invoke(stored -> {
                    if (stored == null) {
                        return;
                    }
                    outbox.committed();
                    ModeChoice choice = stored.choice();
                    if (choice == null) {
                        Log.infof("%s stored: %d of %d parts, %d tests so far", intake.describe(),
                                stored.partsReceived(), intake.parts(), stored.testCount());
                        return;
                    }
                    Log.infof("run=%s received with %d tests to infer atoms from in %d part%s: %s via %s (%s)", runId,
                            stored.testCount(), intake.parts(), intake.parts() == 1 ? "" : "s", choice.mode(),
                            choice.provider().wireName(), choice.reason());
                    if (choice.mode() == ReconciliationRun.Mode.REALTIME) {
                        realtime.start(runId);
                    }
                })
                .replaceWithVoid();
    }

    private Uni<Stored> storePart(SqlConnection tx, Intake<InferenceRequested> intake) {
        String runId = intake.runId();
        int count = intake.event().tests().size();
        String[] payloads = intake.of().payloads();
        String hash = intake.of().contentHash(payloads);
        return tx.preparedQuery("insert into inference_parts (run_id, part, content_hash, test_count)"
                        + " values ($1, $2, $3, $4) on conflict (run_id, part) do nothing")
                .execute(Tuple.of(runId, intake.of().part(), hash, count))
                .flatMap(inserted -> inserted.rowCount() == 0
                        ? intake.of().known(tx, "inference_parts", "test_count", hash).replaceWith((Stored) null)
                        : insertTests(tx, intake, payloads)
                        .flatMap(ignored -> tx.preparedQuery("update reconciliation_runs set inference_parts_received ="
                                        + " inference_parts_received + 1, test_count = test_count + $2, updated_at = now()"
                                        + " where run_id = $1 returning inference_parts_received, test_count")
                                .execute(Tuple.of(runId, count)))
                        .flatMap(updated -> {
                            Row run = updated.iterator().next();
                            int received = run.getInteger("inference_parts_received");
                            int total = run.getInteger("test_count");
                            return received < intake.parts()
                                    ? outbox.statusChanged(tx, runId).replaceWith(new Stored(received, total, null))
                                    : route(tx, runId, intake.options(), total).map(c -> new Stored(received, total, c));
                        }));
    }

    private Uni<Void> insertTests(SqlConnection tx, Intake<InferenceRequested> intake, String[] allPayloads) {
        List<InferenceRequested.RequestedTest> all = intake.event().tests();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int from = 0; from < all.size(); from += ROWS_PER_STATEMENT) {
            int start = from;
            int to = Math.min(all.size(), from + ROWS_PER_STATEMENT);
            chain = chain.flatMap(ignored -> {
                int size = to - start;
                UUID[] ids = new UUID[size];
                String[] testIds = new String[size];
                String[] names = new String[size];
                String[] contexts = new String[size];
                Integer[] positions = new Integer[size];
                for (int i = start; i < to; i++) {
                    InferenceRequested.RequestedTest test = all.get(i);
                    ids[i - start] = UUID.randomUUID();
                    testIds[i - start] = test.testId();
                    names[i - start] = test.name();
                    contexts[i - start] = test.context();
                    positions[i - start] = i;
                }
                return tx.preparedQuery("insert into inference_tests (id, run_id, test_id, part, position, name, context,"
                                + " payload) select u.id, $1, u.test_id, $2, u.position, u.name, u.context, u.payload::jsonb"
                                + " from unnest($3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[])"
                                + " as u(id, test_id, position, name, context, payload)")
                        .execute(Tuple.of(intake.runId(), intake.of().part(), ids, testIds).addValue(positions)
                                .addValue(names).addValue(contexts)
                                .addValue(java.util.Arrays.copyOfRange(allPayloads, start, to)))
                        .onFailure(InferAtomsNode::testIdTaken).transform(failure -> new InvalidRecordException(
                                intake.of().name() + ": one of its testIds is already stored by another part of the run"))
                        .replaceWithVoid();
            });
        }
        return chain;
    }

    private static boolean testIdTaken(Throwable failure) {
        return failure instanceof io.vertx.pgclient.PgException e && "23505".equals(e.getSqlState())
                && "inference_tests_run_test_id_key".equals(e.getConstraint());
    }

    /**
     * Chooses the mode and, in the transaction of the run's last part, fails the tests too large to send, then
     * prepares the batch jobs of the others or hands the run to real time.
     */
    private Uni<ModeChoice> route(SqlConnection tx, String runId, RunOptions options, int testCount) {
        Provider provider = options.provider().orElse(llm.provider());
        return settings.batch(tx).flatMap(current -> {
            ModeChoice choice = ModeChoice.of(testCount, "tests", options, provider, current,
                    batches.isAvailable(provider));
            return tx.preparedQuery("select id, test_id, name, context from inference_tests where run_id = $1"
                            + " order by part, position").execute(Tuple.of(runId))
                    // building (and sizing) the requests of a few thousand tests with their contexts: off the event loop
                    .emitOn(Infrastructure.getDefaultWorkerPool())
                    .map(rows -> plan(rows, provider))
                    .flatMap(plan -> tests.refuse(tx, plan.refused(), plan.reasons())
                            .flatMap(ignored -> prepare(tx, runId, provider, choice, plan)));
        });
    }

    /** The tests' requests: those that can be sent, and those refused with their reason. */
    private record Plan(List<PlannedRequest> planned, List<UUID> refused, List<String> reasons) {
    }

    private Plan plan(RowSet<Row> rows, Provider provider) {
        List<PlannedRequest> planned = new ArrayList<>(rows.size());
        List<UUID> refused = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (Row row : rows) {
            UUID id = row.getUUID("id");
            LlmRequest request = TestWorkload.request(id.toString(), row);
            Optional<String> tooLarge = batches.tooLarge(provider, request);
            if (tooLarge.isPresent()) {
                Log.warnf("test %s of its run is not sent: %s", row.getString("test_id"), tooLarge.get());
                refused.add(id);
                reasons.add(tooLarge.get());
            } else {
                planned.add(new PlannedRequest(id, request));
            }
        }
        return new Plan(planned, refused, reasons);
    }

    /** The mode the run's tests take in the end, with its reason. */
    private Uni<ModeChoice> prepare(SqlConnection tx, String runId, Provider provider, ModeChoice choice, Plan plan) {
        // with nothing left to send the real-time path has nothing to do but end the stage
        boolean batch = choice.mode() == ReconciliationRun.Mode.BATCH && !plan.planned().isEmpty();
        Uni<Void> prepared = batch
                ? preparer.prepare(tx, runId, RunStage.INFERRING, provider, plan.planned()).replaceWithVoid()
                : Uni.createFrom().voidItem();
        String reason = plan.refused().isEmpty() ? choice.reason()
                : choice.reason() + "; " + plan.refused().size() + " tests too large to send";
        ModeChoice taken = new ModeChoice(batch ? ReconciliationRun.Mode.BATCH : ReconciliationRun.Mode.REALTIME,
                provider, reason);
        return prepared
                .flatMap(ignored -> tx.preparedQuery("update reconciliation_runs set status = $2, mode = $3,"
                                + " mode_reason = $4, provider = $5, updated_at = now() where run_id = $1")
                        .execute(Tuple.of(runId, batch ? "BATCH_PROCESSING" : "VERIFYING",
                                batch ? "BATCH" : "REALTIME", reason, provider.name())))
                .flatMap(ignored -> outbox.statusChanged(tx, runId))
                .replaceWith(taken);
    }
}
