package dev.batchwise.reconciliation;

import dev.batchwise.database.Database;
import dev.batchwise.batch.BatchRuns;
import dev.batchwise.status.BatchProgress;
import dev.batchwise.status.RunSnapshots;
import dev.batchwise.status.RunStage;
import dev.batchwise.status.RunStatus;
import dev.batchwise.status.TimeRemaining;
import io.smallrye.mutiny.Multi;
import dev.batchwise.status.StatusEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Optional;

/**
 * A run's state, read from what is stored (so it is the same after any restart), for the API and for every
 * status event. Progress: requests at a provider (batch) or atoms under way (real time) as submitted; atoms with
 * an outcome as completed, those whose call failed for good as failed.
 */
@ApplicationScoped
public class RunSnapshotService implements RunSnapshots {

    private static final int RATE_BASIS = 10;
    /** What {@code /ws/runs} sends first: the runs under way and those ended in the last hour, newest first. */
    private static final int RECENT_RUNS = 200;

    private final Database database;
    private final BatchRuns batchRuns;

    RunSnapshotService(Database database, BatchRuns batchRuns) {
        this.database = database;
        this.batchRuns = batchRuns;
    }

    /** The run's state, or a null item when there is no such run. */
    public Uni<RunState> state(String runId) {
        return database.pool().preparedQuery("select r.run_id, r.status, r.stage, r.status_seq, r.mode, r.mode_reason,"
                        + " r.provider, r.atom_count, r.parts, r.parts_received, r.received_at, r.updated_at,"
                        + " r.completed_at, r.test_count, r.inference_parts, r.inference_mode, r.inference_mode_reason,"
                        + " r.inferred_at, o.completed, o.failed,"
                        + " extract(epoch from o.last_outcome - o.first_outcome)::float8 as outcome_span,"
                        + " t.inferred, t.failed_tests, t.unreadable,"
                        + " extract(epoch from t.last_outcome - t.first_outcome)::float8 as inference_span"
                        + " from reconciliation_runs r, lateral (select"
                        + "   count(*) filter (where a.scored_at is not null and a.score_source <> 'FAILED') as completed,"
                        + "   count(*) filter (where a.score_source = 'FAILED') as failed,"
                        + "   min(a.scored_at) as first_outcome, max(a.scored_at) as last_outcome"
                        // a run still receiving its parts has no outcome yet: not counted (a one-time filter), or
                        // each part's status event would read every atom stored so far, O(parts^2) during the intake
                        + "   from atoms a where a.run_id = r.run_id and r.status <> 'RECEIVED') o, lateral (select"
                        + "   count(*) filter (where t.inferred_at is not null) as inferred,"
                        + "   count(*) filter (where t.answer_source = 'FAILED') as failed_tests,"
                        + "   count(*) filter (where t.answer_source = 'UNPARSEABLE') as unreadable,"
                        + "   min(t.inferred_at) as first_outcome, max(t.inferred_at) as last_outcome"
                        + "   from inference_tests t where t.run_id = r.run_id) t"
                        + " where r.run_id = $1")
                .execute(Tuple.of(runId))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    Row row = rows.iterator().next();
                    RunStatus status = RunStatus.valueOf(row.getString("status"));
                    RunStage stage = RunStage.valueOf(row.getString("stage"));
                    boolean inferring = stage == RunStage.INFERRING;
                    String mode = row.getString("mode");
                    int atoms = row.getInteger("atom_count");
                    int tests = row.getInteger("test_count");
                    int inferred = row.getLong("inferred").intValue();
                    int failedTests = row.getLong("failed_tests").intValue();
                    // progress is the current stage's: tests while inferring, atoms after
                    int subjects = inferring ? tests : atoms;
                    int failed = inferring ? failedTests : row.getLong("failed").intValue();
                    int completed = inferring ? inferred - failedTests : row.getLong("completed").intValue();
                    Double span = row.getDouble(inferring ? "inference_span" : "outcome_span");
                    boolean batch = "BATCH".equals(mode) && status == RunStatus.BATCH_PROCESSING;
                    Uni<Integer> submitted = "BATCH".equals(mode)
                            ? batchRuns.of(runId, stage).map(BatchRuns.Jobs::submittedRequests)
                            : Uni.createFrom().item(status == RunStatus.RECEIVED ? 0 : subjects);
                    Uni<String> remaining = status.isFinal() ? Uni.createFrom().nullItem()
                            : batch ? batchRuns.remaining(runId, stage).map(TimeRemaining::describe)
                            : Uni.createFrom().item(TimeRemaining.describe(status == RunStatus.VERIFYING
                                    ? realtimeRemaining(subjects, completed + failed, span)
                                    : Optional.empty()));
                    RunState.Inference inference = row.getInteger("inference_parts") == null ? null
                            : new RunState.Inference(tests,
                                    lower(inferring ? mode : row.getString("inference_mode")),
                                    inferring ? row.getString("mode_reason") : row.getString("inference_mode_reason"),
                                    inferred, failedTests, row.getLong("unreadable").intValue(),
                                    instant(row.getOffsetDateTime("inferred_at")));
                    return Uni.combine().all().unis(submitted, remaining).with((sent, left) -> new RunState(runId,
                            status, stage, row.getLong("status_seq"), lower(mode),
                            row.getString("mode_reason"), lower(row.getString("provider")), atoms,
                            row.getInteger("parts"), row.getInteger("parts_received"),
                            new BatchProgress(sent, completed, failed), left,
                            instant(row.getOffsetDateTime("received_at")), instant(row.getOffsetDateTime("updated_at")),
                            instant(row.getOffsetDateTime("completed_at")), inference));
                });
    }

    /** A page of runs, newest first, each as {@link #state} shows it. */
    public record RunPage(java.util.List<RunState> runs, long total) {
    }

    /**
     * Runs newest first, {@code limit} from {@code offset}: the page's ids in one query, then each run's state
     * one after the other, so a page of 500 never floods the pool.
     */
    public Uni<RunPage> list(int limit, int offset) {
        Uni<java.util.List<RunState>> runs = database.pool()
                .preparedQuery("select run_id from reconciliation_runs order by received_at desc, run_id limit $1 offset $2")
                .execute(Tuple.of(limit, offset))
                .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                .onItem().transformToUniAndConcatenate(row -> state(row.getString("run_id")))
                // a run deleted between the two queries is simply not on the page
                .filter(state -> state != null)
                .collect().asList();
        Uni<Long> total = database.pool().query("select count(*) from reconciliation_runs").execute()
                .map(rows -> rows.iterator().next().getLong(0));
        return runs.flatMap(page -> total.map(count -> new RunPage(page, count)));
    }

    /**
     * Real time: the rate observed between the run's first and latest outcome, over the atoms still to go. Fewer
     * than {@value #RATE_BASIS} outcomes are no basis for a rate.
     */
    static Optional<Duration> realtimeRemaining(int atoms, int done, Double outcomeSpanSeconds) {
        if (done < RATE_BASIS || outcomeSpanSeconds == null || outcomeSpanSeconds <= 0) {
            return done >= atoms ? Optional.of(Duration.ZERO) : Optional.empty();
        }
        double perAtom = outcomeSpanSeconds / (done - 1);
        return Optional.of(Duration.ofMillis(Math.round(perAtom * Math.max(0, atoms - done) * 1000)));
    }

    @Override
    public Uni<StatusEvent> current(String runId) {
        return state(runId).map(state -> state == null ? null : state.event(Instant.now()));
    }

    @Override
    public Multi<StatusEvent> recent() {
        return database.pool().preparedQuery("select run_id from reconciliation_runs"
                        + " where completed_at is null or completed_at > now() - interval '1 hour'"
                        + " order by received_at desc limit $1").execute(Tuple.of(RECENT_RUNS))
                .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                .onItem().transformToUniAndConcatenate(row -> current(row.getString("run_id")))
                .filter(event -> event != null);
    }

    private static String lower(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
