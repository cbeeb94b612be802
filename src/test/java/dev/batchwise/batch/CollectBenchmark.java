package dev.batchwise.batch;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.batchwise.database.Database;
import dev.batchwise.llm.BatchLlmService;
import dev.batchwise.llm.Provider;
import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.PgWireRecorder;
import dev.batchwise.testing.PgWireRecorder.Kind;
import dev.batchwise.testing.PgWireRecorder.RoundTrip;
import dev.batchwise.testing.PgWireRecorder.Unit;
import dev.batchwise.testing.Simulator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (run with {@code ./mvnw -Pbenchmark test}, heap -Xmx256m): one 10,000-request batch (one
 * job: {@code batch.max-requests-per-batch=10000}) collected by the service, against a plain multi-row insert of
 * the same rows through the same pool, side by side in one run; four rounds, the first one warms up.
 * Prints, per round and as the median of the measured ones:
 * <ul>
 * <li>ended_at -> collected_at and ended_at -> completed_at, both written by PostgreSQL's now();</li>
 * <li>the plain insert of the same 10,000 rows (items' and atoms' written columns, read back from the collected
 * run) into a scratch table in chunks of {@code batch.collect-chunk-size}, and ratio = plain / collect;</li>
 * <li>the same rows as the collector writes them, one per item and one per atom (20,000), into two tables keyed as
 * the real ones are, and that ratio too;</li>
 * <li>the floor: the same job's 10,000 results read and parsed to the end through the collector's own call
 * ({@link BatchLlmService#results}) with no database write, and plain / stream-only: no collector can do better
 * than that ratio in this harness;</li>
 * <li>the round trips the collector sent, counted on the wire by {@link PgWireRecorder} (BEGIN and COMMIT,
 * prepares and executes; and the rows each statement updated, from the server's command tags), with the other
 * traffic of the same interval (poller rounds, outbox relay, this benchmark's own polls) listed apart.</li>
 * </ul>
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
@TestProfile(CollectBenchmark.OneBatch.class)
class CollectBenchmark {

    /** The whole run in one provider batch, and the pool's traffic through the wire recorder. */
    public static class OneBatch implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            // production's lease: the test profile's 3 s can run out while a 10,000-request upload holds the event
            // loop on two shared cores, and SubmitRecovery then submits the job a second time
            return Map.of("batch.max-requests-per-batch", "10000", "batch.claim-lease-ms", "60000");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PgWireRecorder.class));
        }
    }

    private static final int ATOMS = 10_000;
    private static final int ROUNDS = 4;
    private static final Duration WAIT = Duration.ofSeconds(90);

    // SQL the batch path sends, by which its transactions are found in the wire log
    private static final String ENDED = "ended_at = now()";
    private static final String APPLY_ITEMS = "update batch_items i set status = r.by_id";
    private static final String COLLECTED = "collected_at = now()";
    private static final String COMPLETED = "completed_at = now()";

    private static final String SCRATCH = "collect_benchmark_rows";
    private static final String PLAIN_INSERT = "insert into " + SCRATCH + " (custom_id, status, error_type, error,"
            + " input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, quality_score, quality_issues,"
            + " score_source, parse_issue)"
            + " select u.custom_id, u.status, u.error_type, u.error, u.input_tokens, u.output_tokens,"
            + " u.cache_creation_tokens, u.cache_read_tokens, u.score, u.issues::jsonb, u.source, u.parse_issue"
            + " from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[],"
            + " $8::bigint[], $9::int[], $10::text[], $11::text[], $12::text[]) as u(custom_id, status, error_type,"
            + " error, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, score, issues, source,"
            + " parse_issue)";

    // the same rows again, as the collector writes them: one per item and one per atom, each in a table with the
    // real table's key (what any store of these rows maintains), in the collector's chunk size
    private static final String KEYED_ITEMS = "collect_benchmark_items";
    private static final String KEYED_ATOMS = "collect_benchmark_atoms";
    private static final String KEYED_ITEMS_INSERT = "insert into " + KEYED_ITEMS + " (job_id, custom_id, status,"
            + " error_type, error, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, result_source)"
            + " select $1, u.custom_id, u.status, u.error_type, u.error, u.input_tokens, u.output_tokens,"
            + " u.cache_creation_tokens, u.cache_read_tokens, 'BATCH' from unnest($2::text[], $3::text[], $4::text[],"
            + " $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[]) as u(custom_id, status, error_type,"
            + " error, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens)";
    private static final String KEYED_ATOMS_INSERT = "insert into " + KEYED_ATOMS + " (atom_id, quality_score,"
            + " quality_issues, score_source, parse_issue, input_tokens, output_tokens, cache_creation_tokens,"
            + " cache_read_tokens, scored_at) select u.atom_id, u.score, u.issues::jsonb, u.source, u.parse_issue,"
            + " u.input_tokens, u.output_tokens, u.cache_creation_tokens, u.cache_read_tokens, now()"
            + " from unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],"
            + " $8::bigint[], $9::bigint[]) as u(atom_id, score, issues, source, parse_issue, input_tokens,"
            + " output_tokens, cache_creation_tokens, cache_read_tokens)";

    @Inject
    Database database;

    @Inject
    BatchConfig config;

    @Inject
    BatchLlmService batches;

    /** One plain insert as measured: wall time, and the part of it spent waiting for PostgreSQL on the wire. */
    record Plain(double ms, double databaseMs, double keyedMs, double streamOnlyMs) {
    }

    /** One collected run as measured. */
    record Collected(UUID jobId, double endedToCollectedMs, double endedToCompletedMs, WireCount wire) {
    }

    /** The collector's round trips between the poller's ended transaction and the collected one, and the rest. */
    record WireCount(int roundTrips, int prepares, Map<String, Integer> byStatement,
                     Map<String, Integer> rowsByStatement, Map<String, Long> nanosByStatement, long windowNanos,
                     int transactions, int otherRoundTrips, Map<String, Integer> otherByUnit, int retrierRoundTrips) {

        long databaseNanos() {
            return nanosByStatement.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    @Test
    void collectATenThousandItemBatch() {
        Simulator simulator = Simulator.save();
        Pool pool = database.pool();
        try {
            // a short batch, no errors: every item succeeds inside the batch, nothing goes to real time
            Simulator.configure(Map.of("batchFixedMs", 1000, "batchPerItemMs", 0, "itemErrorRate", 0,
                    "overloadedRate", 0, "neverFinish", false, "failBatches", false, "latencyMs", 0));
            pool.query("create table if not exists " + SCRATCH + " (custom_id varchar(64), status varchar(16),"
                    + " error_type varchar(64), error text, input_tokens bigint, output_tokens bigint,"
                    + " cache_creation_tokens bigint, cache_read_tokens bigint, quality_score integer,"
                    + " quality_issues jsonb, score_source varchar(16), parse_issue text)")
                    .execute().await().atMost(WAIT);
            pool.query("create table if not exists " + KEYED_ITEMS + " (job_id uuid, custom_id varchar(64),"
                    + " status varchar(16), error_type varchar(64), error text, input_tokens bigint, output_tokens bigint,"
                    + " cache_creation_tokens bigint, cache_read_tokens bigint, result_source varchar(16),"
                    + " primary key (job_id, custom_id))").execute().await().atMost(WAIT);
            pool.query("create table if not exists " + KEYED_ATOMS + " (atom_id uuid primary key,"
                    + " quality_score integer, quality_issues jsonb, score_source varchar(16), parse_issue text,"
                    + " input_tokens bigint, output_tokens bigint, cache_creation_tokens bigint, cache_read_tokens bigint,"
                    + " scored_at timestamptz)").execute().await().atMost(WAIT);

            List<Collected> collected = new ArrayList<>();
            List<Plain> plain = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                Collected run = collectOneRun(pool, round);
                collected.add(run);
                plain.add(plainInsert(pool, run.jobId()));
            }
            print(collected, plain);
        } finally {
            pool.query("drop table if exists " + SCRATCH + ", " + KEYED_ITEMS + ", " + KEYED_ATOMS).execute()
                    .await().atMost(WAIT);
            simulator.restore();
        }
    }

    private Collected collectOneRun(Pool pool, int round) {
        PgWireRecorder wire = PgWireRecorder.current();
        String runId = "collect-benchmark-" + round + "-" + UUID.randomUUID();
        int mark = wire.mark();
        given().contentType(ContentType.JSON).body(run(runId)).post("/api/runs").then().statusCode(202);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() ->
                !rows(pool, "select 1 from batch_jobs where reconciliation_run_id = $1 and completed_at is not null",
                        runId).isEmpty());
        // the commit is visible a moment before the relay has passed its answer on
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() ->
                wire.since(mark).stream().anyMatch(u -> u.anyMatches(COMPLETED)));

        List<Row> jobs = rows(pool, "select id, status, total_requests,"
                + " extract(epoch from collected_at - ended_at) * 1000 as collect_ms,"
                + " extract(epoch from completed_at - ended_at) * 1000 as complete_ms"
                + " from batch_jobs where reconciliation_run_id = $1", runId);
        assertEquals(1, jobs.size(), "one job for the whole run");
        Row job = jobs.get(0);
        assertEquals("COMPLETED", job.getString("status"));
        assertEquals(ATOMS, job.getInteger("total_requests"));
        UUID jobId = job.getUUID("id");
        Map<String, Long> statuses = new HashMap<>();
        rows(pool, "select status, count(*) from batch_items where job_id = $1 group by status", jobId)
                .forEach(r -> statuses.put(r.getString(0), r.getLong(1)));
        assertEquals(Map.of("SUCCEEDED", (long) ATOMS), statuses, "every item SUCCEEDED");
        assertEquals(ATOMS, rows(pool, "select count(*) from atoms where run_id = $1 and scored_at is not null"
                + " and score_source is not null", runId).get(0).getLong(0), "every atom has an outcome");

        return new Collected(jobId, job.getNumeric("collect_ms").doubleValue(),
                job.getNumeric("complete_ms").doubleValue(), count(wire.since(mark)));
    }

    /** Splits the wire log at the ended, collected and completed transactions of the run's one job. */
    private static WireCount count(List<Unit> units) {
        int ended = indexOf(units, 0, ENDED);
        int collected = indexOf(units, ended + 1, COLLECTED);
        int completed = indexOf(units, collected + 1, COMPLETED);
        Predicate<Unit> collector = u -> u.anyMatches(APPLY_ITEMS) || u.anyMatches(COLLECTED);
        Map<String, Integer> byStatement = new TreeMap<>();
        Map<String, Integer> rows = new TreeMap<>();
        Map<String, Long> nanos = new TreeMap<>();
        Map<String, Integer> other = new TreeMap<>();
        int roundTrips = 0;
        int prepares = 0;
        int transactions = 0;
        int otherRoundTrips = 0;
        for (Unit unit : units.subList(ended + 1, collected + 1)) {
            if (!collector.test(unit)) {
                otherRoundTrips += unit.roundTrips().size();
                other.merge(owner(unit) + label(unit), unit.roundTrips().size(), Integer::sum);
                continue;
            }
            transactions++;
            for (RoundTrip trip : unit.roundTrips()) {
                roundTrips++;
                prepares += trip.kind() == Kind.PREPARE ? 1 : 0;
                byStatement.merge(label(trip), 1, Integer::sum);
                nanos.merge(label(trip), trip.nanos(), Long::sum);
                if (trip.kind() == Kind.EXECUTE) {
                    trip.tags().forEach(tag -> {
                        String[] words = tag.split(" ");
                        rows.merge(label(trip), Integer.parseInt(words[words.length - 1]), Integer::sum);
                    });
                }
            }
        }
        int retrier = units.subList(collected + 1, completed + 1).stream()
                .filter(u -> u.anyMatches("where job_id = $1") || u.anyMatches(COMPLETED))
                .mapToInt(u -> u.roundTrips().size()).sum();
        long window = end(units.get(collected)) - end(units.get(ended));
        return new WireCount(roundTrips, prepares, byStatement, rows, nanos, window, transactions, otherRoundTrips,
                other, retrier);
    }

    private static long end(Unit unit) {
        RoundTrip last = unit.roundTrips().get(unit.roundTrips().size() - 1);
        return last.sentNanos() + last.nanos();
    }

    private static int indexOf(List<Unit> units, int from, String sqlPart) {
        for (int i = from; i < units.size(); i++) {
            if (units.get(i).anyMatches(sqlPart)) {
                return i;
            }
        }
        throw new IllegalStateException("no transaction with '" + sqlPart + "' in the wire log");
    }

    private static String label(RoundTrip trip) {
        String sql = trip.sql() == null ? "(sync)" : trip.sql().replaceAll("\\s+", " ");
        String shortSql = sql.length() > 60 ? sql.substring(0, 60) + "..." : sql;
        return trip.kind() == Kind.PREPARE ? "prepare " + shortSql : shortSql;
    }

    /** Who sends the background statements of the collect interval. */
    private static final Map<String, String> OWNERS = Map.of(
            "update batch_jobs set claim_token = gen_random_uuid()", "poller rounds (JobStore.claimDue): ",
            "select pg_try_advisory_xact_lock(", "outbox relay: ",
            "select run_id from reconciliation_runs where status = 'VERIFYING'", "real-time runs sweep: ",
            "select 1 from batch_jobs where reconciliation_run_id", "this benchmark's poll: ",
            "select r.run_id, r.status", "run status snapshot: ",
            "select coalesce(sum(total_requests)", "run status snapshot: ");

    private static String owner(Unit unit) {
        return OWNERS.entrySet().stream().filter(e -> unit.anyMatches(e.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse("");
    }

    /** A unit by its first statement after BEGIN. */
    private static String label(Unit unit) {
        return unit.roundTrips().stream().filter(t -> !"BEGIN".equals(t.sql())).findFirst()
                .map(CollectBenchmark::label).orElse("BEGIN") + (unit.roundTrips().size() > 1 ? " (transaction)" : "");
    }

    /** The same 10,000 rows the collector wrote, inserted plainly in the collector's chunk size; milliseconds. */
    private Plain plainInsert(Pool pool, UUID jobId) {
        List<Row> source = rows(pool, "select i.atom_id, i.custom_id, i.status, i.error_type, i.error, i.input_tokens,"
                + " i.output_tokens, i.cache_creation_tokens, i.cache_read_tokens, a.quality_score,"
                + " a.quality_issues::text as quality_issues, a.score_source, a.parse_issue"
                + " from batch_items i join atoms a on a.id = i.atom_id where i.job_id = $1 order by i.custom_id",
                jobId);
        assertEquals(ATOMS, source.size());
        int chunk = config.collectChunkSize();
        List<Tuple> chunks = new ArrayList<>();
        for (int from = 0; from < source.size(); from += chunk) {
            List<Row> part = source.subList(from, Math.min(source.size(), from + chunk));
            chunks.add(Tuple.tuple()
                    .addValue(part.stream().map(r -> r.getString("custom_id")).toArray(String[]::new))
                    .addValue(part.stream().map(r -> r.getString("status")).toArray(String[]::new))
                    .addValue(part.stream().map(r -> r.getString("error_type")).toArray(String[]::new))
                    .addValue(part.stream().map(r -> r.getString("error")).toArray(String[]::new))
                    .addValue(part.stream().map(r -> r.getLong("input_tokens")).toArray(Long[]::new))
                    .addValue(part.stream().map(r -> r.getLong("output_tokens")).toArray(Long[]::new))
                    .addValue(part.stream().map(r -> r.getLong("cache_creation_tokens")).toArray(Long[]::new))
                    .addValue(part.stream().map(r -> r.getLong("cache_read_tokens")).toArray(Long[]::new))
                    .addValue(part.stream().map(r -> r.getInteger("quality_score")).toArray(Integer[]::new))
                    .addValue(part.stream().map(r -> r.getString("quality_issues")).toArray(String[]::new))
                    .addValue(part.stream().map(r -> r.getString("score_source")).toArray(String[]::new))
                    .addValue(part.stream().map(r -> r.getString("parse_issue")).toArray(String[]::new)));
        }
        pool.query("truncate " + SCRATCH).execute().await().atMost(WAIT);
        int mark = PgWireRecorder.current().mark();
        long start = System.nanoTime();
        // one chunk after the other, as the collector applies them
        Multi.createFrom().iterable(chunks)
                .onItem().transformToUniAndConcatenate(args -> pool.preparedQuery(PLAIN_INSERT).execute(args))
                .collect().last().await().atMost(WAIT);
        double ms = (System.nanoTime() - start) / 1e6;
        double database = PgWireRecorder.current().since(mark).stream()
                .filter(u -> u.anyMatches("insert into " + SCRATCH)).mapToLong(Unit::nanos).sum() / 1e6;
        assertEquals((long) ATOMS, rows(pool, "select count(*) from " + SCRATCH).get(0).getLong(0));
        return new Plain(ms, database, keyedInsert(pool, jobId, source, chunk), streamOnly(pool, jobId));
    }

    /**
     * The floor: the job's results stream read and parsed to the end through the collector's own call, with no
     * database write; milliseconds. No collector can end sooner than its input does.
     */
    private double streamOnly(Pool pool, UUID jobId) {
        Row job = rows(pool, "select provider, provider_batch_id from batch_jobs where id = $1", jobId).get(0);
        Provider provider = Provider.valueOf(job.getString("provider"));
        String batchId = job.getString("provider_batch_id");
        long start = System.nanoTime();
        long results = batches.results(provider, batchId).collect().with(Collectors.counting()).await().atMost(WAIT);
        double ms = (System.nanoTime() - start) / 1e6;
        assertEquals((long) ATOMS, results);
        return ms;
    }

    /** The keyed baseline: items' rows and atoms' rows into their two keyed tables, chunk after chunk; ms. */
    private double keyedInsert(Pool pool, UUID jobId, List<Row> source, int chunk) {
        List<Uni<?>> statements = new ArrayList<>();
        for (int from = 0; from < source.size(); from += chunk) {
            List<Row> part = source.subList(from, Math.min(source.size(), from + chunk));
            Tuple items = Tuple.tuple().addValue(jobId)
                    .addValue(part.stream().map(r -> r.getString("custom_id")).toArray(String[]::new))
                    .addValue(part.stream().map(r -> r.getString("status")).toArray(String[]::new))
                    .addValue(part.stream().map(r -> r.getString("error_type")).toArray(String[]::new))
                    .addValue(part.stream().map(r -> r.getString("error")).toArray(String[]::new))
                    .addValue(part.stream().map(r -> r.getLong("input_tokens")).toArray(Long[]::new))
                    .addValue(part.stream().map(r -> r.getLong("output_tokens")).toArray(Long[]::new))
                    .addValue(part.stream().map(r -> r.getLong("cache_creation_tokens")).toArray(Long[]::new))
                    .addValue(part.stream().map(r -> r.getLong("cache_read_tokens")).toArray(Long[]::new));
            Tuple atoms = Tuple.tuple()
                    .addValue(part.stream().map(r -> r.getUUID("atom_id")).toArray(UUID[]::new))
                    .addValue(part.stream().map(r -> r.getInteger("quality_score")).toArray(Integer[]::new))
                    .addValue(part.stream().map(r -> r.getString("quality_issues")).toArray(String[]::new))
                    .addValue(part.stream().map(r -> r.getString("score_source")).toArray(String[]::new))
                    .addValue(part.stream().map(r -> r.getString("parse_issue")).toArray(String[]::new))
                    .addValue(part.stream().map(r -> r.getLong("input_tokens")).toArray(Long[]::new))
                    .addValue(part.stream().map(r -> r.getLong("output_tokens")).toArray(Long[]::new))
                    .addValue(part.stream().map(r -> r.getLong("cache_creation_tokens")).toArray(Long[]::new))
                    .addValue(part.stream().map(r -> r.getLong("cache_read_tokens")).toArray(Long[]::new));
            statements.add(Uni.createFrom().deferred(() -> pool.preparedQuery(KEYED_ITEMS_INSERT).execute(items)));
            statements.add(Uni.createFrom().deferred(() -> pool.preparedQuery(KEYED_ATOMS_INSERT).execute(atoms)));
        }
        pool.query("truncate " + KEYED_ITEMS + ", " + KEYED_ATOMS).execute().await().atMost(WAIT);
        long start = System.nanoTime();
        Multi.createFrom().iterable(statements).onItem().transformToUniAndConcatenate(u -> u)
                .collect().last().await().atMost(WAIT);
        double ms = (System.nanoTime() - start) / 1e6;
        assertEquals((long) ATOMS, rows(pool, "select count(*) from " + KEYED_ATOMS).get(0).getLong(0));
        return ms;
    }

    private void print(List<Collected> collected, List<Plain> plains) {
        List<Double> plain = plains.stream().map(Plain::ms).toList();
        List<Collected> measured = collected.subList(1, collected.size());
        System.out.printf("%ncollect, one batch of %,d items, chunks of %d, max heap %d MB (round 0 warms up):%n",
                ATOMS, config.collectChunkSize(), Runtime.getRuntime().maxMemory() / (1024 * 1024));
        for (int round = 0; round < collected.size(); round++) {
            Collected run = collected.get(round);
            System.out.printf("  round %d: ended -> collected %,8.1f ms, ended -> completed %,8.1f ms;"
                            + " plain insert %,8.1f ms; ratio %.2f; stream only %,8.1f ms; collector round trips %d"
                            + " (%.1f per 1,000 items; %d of them prepares)%n",
                    round, run.endedToCollectedMs(), run.endedToCompletedMs(), plain.get(round),
                    plain.get(round) / run.endedToCollectedMs(), plains.get(round).streamOnlyMs(),
                    run.wire().roundTrips(),
                    run.wire().roundTrips() / (ATOMS / 1000.0), run.wire().prepares());
        }
        double collect = median(measured.stream().map(Collected::endedToCollectedMs).toList());
        double complete = median(measured.stream().map(Collected::endedToCompletedMs).toList());
        double insert = median(plain.subList(1, plain.size()));
        double trips = median(measured.stream().map(r -> (double) r.wire().roundTrips()).toList());
        System.out.printf("  median: ended -> collected %,.1f ms, ended -> completed %,.1f ms, plain insert %,.1f ms%n",
                collect, complete, insert);
        double keyed = median(plains.subList(1, plains.size()).stream().map(Plain::keyedMs).toList());
        System.out.printf("  ratio plain / collect (medians): %.2f (goal >= 0.5)%n", insert / collect);
        double stream = median(plains.subList(1, plains.size()).stream().map(Plain::streamOnlyMs).toList());
        System.out.printf("  the results stream alone, read and parsed to the end, no writes: %,.1f ms (median);"
                + " ratio plain / stream-only %.2f (the best any collector can reach here), collect / stream-only"
                + " %.2f%n", stream, insert / stream, collect / stream);
        System.out.printf("  the same rows as written, items' and atoms' into two keyed tables: %,.1f ms (median);"
                + " ratio keyed plain / collect %.2f%n", keyed, keyed / collect);
        System.out.printf("  collector round trips (median): %.0f, %.1f per 1,000 items%n", trips,
                trips / (ATOMS / 1000.0));

        WireCount last = collected.get(collected.size() - 1).wire();
        System.out.printf("  last round on the wire, ended -> collected commits %,.1f ms: %d collector transactions,"
                        + " %d round trips, %,.1f ms of them waiting for PostgreSQL:%n", last.windowNanos() / 1e6,
                last.transactions(), last.roundTrips(), last.databaseNanos() / 1e6);
        last.byStatement().forEach((statement, n) -> System.out.printf("    %5d  %,8.1f ms  %s%s%n", n,
                last.nanosByStatement().get(statement) / 1e6, statement,
                last.rowsByStatement().containsKey(statement)
                        ? String.format(" (%,d rows, %.0f per statement)", last.rowsByStatement().get(statement),
                        last.rowsByStatement().get(statement) / (double) n) : ""));
        System.out.printf("  last round's plain insert: %,.1f ms, %,.1f ms of it waiting for PostgreSQL"
                        + " (%d statements)%n",
                plains.get(plains.size() - 1).ms(), plains.get(plains.size() - 1).databaseMs(),
                (ATOMS + config.collectChunkSize() - 1) / config.collectChunkSize());
        System.out.printf("  other traffic of the same interval, not counted above: %d round trips%n",
                last.otherRoundTrips());
        last.otherByUnit().forEach((unit, n) -> System.out.printf("    %5d  %s%n", n, unit));
        System.out.printf("  collected -> completed (ItemRetrier: nothing to retry, job finished): %d round trips%n%n",
                last.retrierRoundTrips());
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** Short atoms: 10,000 of them stay under Kafka's 1 MB default record size on atoms.inferred. */
    private static String run(String runId) {
        return "{\"runId\":\"" + runId + "\",\"options\":{\"provider\":\"anthropic\"},\"atoms\":["
                + IntStream.range(0, ATOMS).mapToObj(i -> "{\"tempId\":\"a-" + i + "\",\"description\":\"Thing " + i
                        + " works\",\"category\":\"functional\"}").collect(Collectors.joining(",")) + "]}";
    }

    private static List<Row> rows(Pool pool, String sql, Object... args) {
        List<Row> rows = new ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.from(Arrays.asList(args))).await().atMost(WAIT).forEach(rows::add);
        return rows;
    }
}
