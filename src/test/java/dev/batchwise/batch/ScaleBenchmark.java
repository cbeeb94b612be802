package dev.batchwise.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.testing.Db;
import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.ServiceProcess;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * Benchmark, not a test ({@code ./mvnw -Pbenchmark test -Dtest=ScaleBenchmark}; the profile builds the jar first):
 * one run of 100,000 atoms posted to the packaged service running at {@code -Xmx512m} (both JIT compilers, as in
 * production), published by it in parts on the local broker, prepared into 20 provider batches of 5,000
 * ({@code batch.max-requests-per-batch} at its default) and scored by a standalone simulator whose batches take
 * {@code scale.batch-fixed-ms} (90 s by default), so that the provider's time dominates as it does for real; after
 * two warm-up runs of the same size with 1 s batches (the first round of CollectBenchmark warms up too), and a wait for
 * the service to be idle. Prints,
 * measured side by side in this one run (no timed assertion; what is asserted is that the run ends right):
 * <ul>
 * <li>(a) last part published -> VERIFIED, as a ratio to the simulator's own processing time for the run (its
 * batches' first created_at -> last ended_at, as the simulator reports them), and to the longest single batch;</li>
 * <li>(b) the intake rate (atoms stored per second, first part published -> every part stored, the preparation of
 * the run that follows the last part included) as a ratio to a PostgreSQL {@code COPY} of the same atom rows into a scratch table
 * shaped like {@code atoms} (with its indexes, and bare), through the JDBC driver's CopyManager, right after.</li>
 * </ul>
 * Also printed: the parts and their sizes on the topic, and the service's heap as Micrometer reports it.
 */
class ScaleBenchmark {

    private static final int ATOMS = Integer.getInteger("scale.atoms", 100_000);
    private static final long BATCH_FIXED_MS = Long.getLong("scale.batch-fixed-ms", 90_000);
    private static final int PER_BATCH = 5_000;
    /**
     * Warm-up runs of the measured run's shape (as many parts, jobs and results). A part's COPY loop runs 100,000
     * times per run but is called once per part, so HotSpot compiles it by its loop count: interpreted for its first
     * 60,000 rows, profiled for 40,000 more, then C2. After one warm-up run of 10,000 atoms, or even of 100,000, C2
     * was still compiling it during the measured intake (a JFR recording of the service), on one of the two cores.
     */
    private static final int WARM_UP_ATOMS = ATOMS;
    private static final int WARM_UP_RUNS = 2;
    private static final String HEAP = "512m";
    private static final Duration RUN = Duration.ofMinutes(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Pattern METRIC = Pattern.compile("^(\\w+)\\{([^}]*)} ([0-9.eE+-]+)$");

    @Test
    void aHundredThousandAtomRunInParts() throws Exception {
        try (PackagedBatchRun scenario = PackagedBatchRun.begin("scale", spec -> spec.heap("512m").fullJit())) {
            ServiceProcess service = scenario.start(scenario.service("service").heap(HEAP).fullJit()
                    // production's batch settings, but for the poll interval of the demo (2 s, next to 90 s batches
                    // as 30 s is next to the 10-30 minutes real ones take)
                    .with("batch.max-requests-per-batch", PER_BATCH)
                    .without("batch.collect-chunk-size")
                    .without("batch.claim-lease-ms")
                    .without("batchwise.poller.interval")
                    .without("batchwise.outbox.relay-interval")
                    .with("batch.poll-interval-ms", 2000)
                    .with("quarkus.log.category.\"dev.batchwise.batch\".level", "INFO"));
            // a warm-up run first, as CollectBenchmark's first round: the measured one meets a service (and a
            // simulator) whose code paths have been compiled, as a long-running instance's have
            scenario.configureSimulator(Map.of("batchFixedMs", 1000, "batchPerItemMs", 0,
                    "itemErrorRate", 0, "batchEndpointErrorRate", 0, "malformedLineRate", 0));
            for (int round = 0; round < WARM_UP_RUNS; round++) {
                String warmUp = "scale-warm-up-" + UUID.randomUUID();
                HttpResponse<String> warmUpAnswer = post(service, body(warmUp, WARM_UP_ATOMS));
                assertEquals(202, warmUpAnswer.statusCode(), warmUpAnswer.body());
                PackagedBatchRun.awaitVerified(service, warmUp);
            }
            double idleCores = awaitIdle(service);

            scenario.configureSimulator(Map.of("batchFixedMs", BATCH_FIXED_MS));
            String runId = "scale-" + UUID.randomUUID();
            byte[] body = body(runId, ATOMS);
            HeapSampler heap = new HeapSampler(service);
            // COPY rounds before the run and after it, so both see the machine as the run does (it is shared)
            List<Double> copyIndexed = new ArrayList<>();
            List<Double> copyBare = new ArrayList<>();
            String sameRows = copyRows(runId);
            copyIndexed.add(copy(sameRows, true));
            copyBare.add(copy(sameRows, false));
            sameRows = null;

            long logBefore = logBytes();
            long posted = System.currentTimeMillis();
            HttpResponse<String> answer = post(service, body);
            long accepted = System.currentTimeMillis();
            assertEquals(202, answer.statusCode(), answer.body());
            int parts = JSON.readTree(answer.body()).get("parts").asInt();

            long[] stored = {0};
            Awaitility.await("every part stored").atMost(RUN).pollInterval(Duration.ofMillis(50)).until(() -> {
                heap.sample();
                assertTrue(service.isAlive(), () -> "the service died:\n" + service.tail(60));
                boolean all = Db.number("select count(*) from reconciliation_runs where run_id = ? and parts_received"
                        + " = parts and status <> 'RECEIVED'", runId) == 1;
                stored[0] = System.currentTimeMillis();
                return all;
            });
            Awaitility.await("run verified").atMost(RUN).pollInterval(Duration.ofMillis(500)).until(() -> {
                heap.sample();
                assertTrue(service.isAlive(), () -> "the service died:\n" + service.tail(60));
                String status = (String) Db.rows("select status from reconciliation_runs where run_id = ?", runId)
                        .get(0).get("status");
                assertFalse("FAILED".equals(status), "run failed: " + PackagedBatchRun.summary(runId));
                return "VERIFIED".equals(status);
            });
            scenario.assertExactlyOnce(runId, ATOMS, "anthropic", PER_BATCH);
            assertFalse(service.logContains("OutOfMemoryError"), "no OutOfMemoryError in " + service.logFile());

            Topic topic = topic(runId, parts, logBefore);
            long verified = epochMs("select completed_at from reconciliation_runs where run_id = ?", runId);
            long lastPartTx = epochMs("select max(received_at) from run_parts where run_id = ?", runId);
            Provider provider = provider(scenario, runId);
            String rows = atomRows(runId);
            for (int round = 0; round < 2; round++) {
                copyIndexed.add(copy(rows, true));
                copyBare.add(copy(rows, false));
            }

            double intakeMs = stored[0] - topic.firstPublished();
            long lastPartAtoms = Db.number("select atom_count from run_parts where run_id = ? order by received_at desc"
                    + " limit 1", runId);
            double atomsOnlyRate = (ATOMS - lastPartAtoms) / ((lastPartTx - topic.firstPublished()) / 1000.0);
            double intakeRate = ATOMS / (intakeMs / 1000);
            double indexedRate = ATOMS / (median(copyIndexed) / 1000);
            double bareRate = ATOMS / (median(copyBare) / 1000);
            double serviceMs = verified - topic.lastPublished();
            System.out.printf("%nScaleBenchmark: %,d atoms, service -Xmx%s, %d provider batches of %,d, simulator batches"
                    + " of %,d ms%n", ATOMS, HEAP, provider.batches(), PER_BATCH, BATCH_FIXED_MS);
            System.out.printf("  after %d warm-up runs (%,d atoms, 1 s batches), the service idle at %.3f cores%n",
                    WARM_UP_RUNS, WARM_UP_ATOMS, idleCores);
            System.out.printf("  POST body %,d bytes -> 202 in %,d ms: %d parts on atoms.inferred, largest %,d bytes,"
                    + " %,d bytes of JSON in all, %,d bytes in the topic's log (zstd)%n", body.length, accepted - posted,
                    parts, topic.largestPart(), topic.valueBytes(), topic.logBytes());
            System.out.printf("  (a) last part published -> VERIFIED: %,.0f ms; simulator's processing of the run"
                    + " (first created_at -> last ended_at): %,d ms; ratio %.3f (goal <= 1.10)%n", serviceMs,
                    provider.window(), serviceMs / provider.window());
            System.out.printf("      against its longest single batch (created_at -> ended_at, %,d ms): ratio %.3f;"
                    + " last part published -> first batch created %,d ms, batches created over %,d ms,"
                    + " last batch ended -> VERIFIED %,d ms%n", provider.longest(), serviceMs / provider.longest(),
                    provider.firstCreated() - topic.lastPublished(), provider.lastCreated() - provider.firstCreated(),
                    verified - provider.lastEnded());
            double overheadMs = serviceMs - provider.window();
            System.out.printf("      overhead beyond the provider's time: %,.0f ms, so the ratio is <= 1.10 for provider"
                    + " batches of %,.0f s or more (real ones take 10-30 minutes)%n", overheadMs,
                    (10 * overheadMs - (provider.window() - provider.longest())) / 1000);
            System.out.printf("  (b) intake, first part published -> every part stored (the run prepared): %,.0f ms,"
                    + " %,.0f atoms/s (the last part's transaction, its atoms by COPY, then the preparation of the jobs"
                    + " for %,d atoms in a transaction of its own, began %,d ms before the end)%n", intakeMs, intakeRate,
                    ATOMS, stored[0] - lastPartTx);
            System.out.printf("      the parts before the last alone (%,d atoms by the time the last part's transaction"
                    + " began): %,.0f atoms/s, ratio %.2f to the indexed COPY%n", ATOMS - lastPartAtoms, atomsOnlyRate,
                    atomsOnlyRate / (ATOMS / (median(copyIndexed) / 1000)));
            System.out.printf("      COPY of the same %,d rows, median of 3 (one before the run, two after): into a"
                    + " table like atoms with its indexes %,.0f ms (%,.0f rows/s), ratio %.2f (goal >= 0.5); into a bare"
                    + " table %,.0f ms (%,.0f rows/s), ratio %.2f%n", ATOMS, median(copyIndexed), indexedRate, intakeRate / indexedRate,
                    median(copyBare), bareRate, intakeRate / bareRate);
            System.out.printf("  service heap (of %s), highest of the samples taken each second: in use %,d MB, old"
                    + " generation %,d MB%n%n", HEAP, heap.usedMb(), heap.oldMb());
        }
    }

    /**
     * Waits (at most two minutes) for the service to use under 5 % of a core over a second, as an idle instance
     * does: the compilers are done with what the warm-up made hot. The CPU use of the last second, in cores.
     */
    private static double awaitIdle(ServiceProcess service) {
        ProcessHandle process = ProcessHandle.of(service.pid()).orElseThrow();
        long[] last = {cpuNanos(process), System.nanoTime()};
        double[] cores = {Double.NaN};
        Awaitility.await("the service idle after the warm-up").atMost(Duration.ofMinutes(2))
                .pollDelay(Duration.ofSeconds(1)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    long cpu = cpuNanos(process);
                    long now = System.nanoTime();
                    cores[0] = (cpu - last[0]) / (double) (now - last[1]);
                    last[0] = cpu;
                    last[1] = now;
                    return cores[0] < 0.05;
                });
        return cores[0];
    }

    private static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().orElseThrow().toNanos();
    }

    /** A run of ATOMS distinct atoms of about 150 bytes each, no mode forced: more than the threshold, batch. */
    private static HttpResponse<String> post(ServiceProcess service, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/api/runs"))
                .header("content-type", "application/json").timeout(Duration.ofMinutes(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] body(String runId, int atoms) {
        StringBuilder json = new StringBuilder(atoms * 160).append("{\"runId\":\"").append(runId)
                .append("\",\"options\":{\"provider\":\"anthropic\"},\"atoms\":[");
        for (int i = 0; i < atoms; i++) {
            json.append(i == 0 ? "" : ",").append("{\"tempId\":\"atom-").append(i)
                    .append("\",\"description\":\"").append(description(i)).append("\",\"category\":\"")
                    .append(category(i)).append("\"}");
        }
        return json.append("]}").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String description(int i) {
        return "Invoice " + (10_000 + i) + " matches purchase order " + (70_000 + 7 * i) + " for " + (i % 13 + 1)
                + " units at the agreed price";
    }

    private static String category(int i) {
        return i % 3 == 0 ? "invoice" : i % 3 == 1 ? "payment" : "ledger";
    }

    /** The run's parts as the broker has them: CreateTime stamps (the service's producer), sizes, log bytes. */
    record Topic(long firstPublished, long lastPublished, int largestPart, long valueBytes, long logBytes) {
    }

    private static Topic topic(String runId, int parts, long logBefore) throws Exception {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalKafkaResource.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "scale-benchmark-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 8);
        List<ConsumerRecord<String, String>> mine = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of("atoms.inferred"));
            Awaitility.await("the run's parts on atoms.inferred").atMost(Duration.ofMinutes(2)).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (runId.equals(r.key())) {
                        mine.add(r);
                    }
                });
                return mine.size() >= parts;
            });
        }
        assertEquals(parts, mine.size(), "one record per part");
        return new Topic(mine.stream().mapToLong(ConsumerRecord::timestamp).min().orElseThrow(),
                mine.stream().mapToLong(ConsumerRecord::timestamp).max().orElseThrow(),
                mine.stream().mapToInt(ConsumerRecord::serializedValueSize).max().orElseThrow(),
                mine.stream().mapToLong(ConsumerRecord::serializedValueSize).sum(), logBytes() - logBefore);
    }

    /** The size of atoms.inferred's log on the broker (compressed batches, as stored). */
    private static long logBytes() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                LocalKafkaResource.bootstrapServers()))) {
            int broker = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next().id();
            Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(broker)).allDescriptions()
                    .get(30, TimeUnit.SECONDS).get(broker);
            return dirs.values().stream().flatMap(d -> d.replicaInfos().entrySet().stream())
                    .filter(e -> e.getKey().topic().equals("atoms.inferred"))
                    .mapToLong(e -> e.getValue().size()).sum();
        }
    }

    /** The run's provider batches as the simulator reports them (Message Batches retrieve). */
    record Provider(int batches, long firstCreated, long lastCreated, long lastEnded, long longest) {
        long window() {
            return lastEnded - firstCreated;
        }
    }

    private static Provider provider(PackagedBatchRun scenario, String runId) throws Exception {
        List<Map<String, Object>> jobs = Db.rows("select provider_batch_id from batch_jobs where reconciliation_run_id = ?",
                runId);
        long firstCreated = Long.MAX_VALUE;
        long lastCreated = 0;
        long lastEnded = 0;
        long longest = 0;
        for (Map<String, Object> job : jobs) {
            HttpResponse<String> batch = HTTP.send(HttpRequest.newBuilder(URI.create(scenario.simulator().baseUrl()
                            + "/sim/anthropic/v1/messages/batches/" + job.get("provider_batch_id")))
                    .header("x-api-key", "benchmark").header("anthropic-version", "2023-06-01").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, batch.statusCode(), batch.body());
            JsonNode info = JSON.readTree(batch.body());
            long created = Instant.parse(info.get("created_at").asText()).toEpochMilli();
            long ended = Instant.parse(info.get("ended_at").asText()).toEpochMilli();
            firstCreated = Math.min(firstCreated, created);
            lastCreated = Math.max(lastCreated, created);
            lastEnded = Math.max(lastEnded, ended);
            longest = Math.max(longest, ended - created);
        }
        return new Provider(jobs.size(), firstCreated, lastCreated, lastEnded, longest);
    }

    /** The rows the run's atoms will be, as COPY text: the same generator as {@link #body}, payloads as sent. */
    private static String copyRows(String runId) {
        StringBuilder rows = new StringBuilder(ATOMS * 300);
        for (int i = 0; i < ATOMS; i++) {
            String description = description(i);
            String category = category(i);
            rows.append(UUID.randomUUID()).append('\t').append(runId).append("\tatom-").append(i).append('\t')
                    .append(description).append('\t').append(category).append("\t{\"tempId\":\"atom-").append(i)
                    .append("\",\"description\":\"").append(description).append("\",\"category\":\"").append(category)
                    .append("\"}\n");
        }
        return rows.toString();
    }

    /** The run's atom rows as COPY text (tab-separated, \N for null), read before anything is timed. */
    private static String atomRows(String runId) throws Exception {
        StringBuilder rows = new StringBuilder(ATOMS * 300);
        try (Connection connection = Db.connect(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.setFetchSize(5_000);
            try (ResultSet result = statement.executeQuery("select id, run_id, temp_id, description, category,"
                    + " payload::text from atoms where run_id = '" + runId + "'")) {
                while (result.next()) {
                    for (int c = 1; c <= 6; c++) {
                        String value = result.getString(c);
                        rows.append(c == 1 ? "" : "\t").append(value == null ? "\\N" : escape(value));
                    }
                    rows.append('\n');
                }
            }
            connection.commit();
        }
        return rows.toString();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    /** One COPY of the rows into a fresh scratch table, committed; milliseconds. */
    private static double copy(String rows, boolean indexed) throws Exception {
        String table = indexed ? "scale_copy_indexed" : "scale_copy_bare";
        try (Connection connection = Db.connect(); Statement statement = connection.createStatement()) {
            statement.execute("drop table if exists " + table);
            statement.execute("create table " + table + " (like atoms " + (indexed ? "including all" : "including defaults")
                    + ")");
            connection.setAutoCommit(false);
            CopyManager copy = new CopyManager(connection.unwrap(BaseConnection.class));
            long start = System.nanoTime();
            long copied = copy.copyIn("copy " + table + " (id, run_id, temp_id, description, category, payload)"
                    + " from stdin", new StringReader(rows));
            connection.commit();
            double ms = (System.nanoTime() - start) / 1e6;
            assertEquals(ATOMS, copied);
            connection.setAutoCommit(true);
            statement.execute("drop table " + table);
            return ms;
        }
    }

    private static long epochMs(String sql, String runId) {
        return ((java.sql.Timestamp) Db.rows(sql, runId).get(0).values().iterator().next()).getTime();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /** Micrometer's heap gauges from /q/metrics, at most once a second. */
    private static final class HeapSampler {
        private final ServiceProcess service;
        private long last;
        private long oldMb;
        private long usedMb;

        HeapSampler(ServiceProcess service) {
            this.service = service;
        }

        void sample() {
            long now = System.currentTimeMillis();
            if (now - last < 1000) {
                return;
            }
            last = now;
            HttpResponse<String> metrics;
            try {
                metrics = service.get("/q/metrics");
            } catch (IOException busy) {
                return;
            }
            double used = 0;
            double old = 0;
            for (String line : metrics.body().split("\n")) {
                Matcher m = METRIC.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                if (m.group(1).equals("jvm_memory_used_bytes") && m.group(2).contains("area=\"heap\"")) {
                    used += Double.parseDouble(m.group(3));
                    old += m.group(2).contains("Old Gen") ? Double.parseDouble(m.group(3)) : 0;
                }
            }
            usedMb = Math.max(usedMb, (long) (used / (1024 * 1024)));
            oldMb = Math.max(oldMb, (long) (old / (1024 * 1024)));
        }

        long oldMb() {
            return oldMb;
        }

        long usedMb() {
            return usedMb;
        }
    }
}
