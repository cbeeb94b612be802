package dev.batchwise.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchwise.testing.Db;
import dev.batchwise.testing.KafkaGroups;
import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.ServiceProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One crash scenario of the batch path against the packaged service: an empty schema, the consumer groups at the
 * end of their topics, a standalone provider simulator (a process of its own, so it outlives every service
 * process, as a provider would), and service processes at test speed that use nothing but that simulator. Closing
 * it stops every process it started.
 */
final class PackagedBatchRun implements AutoCloseable {

    static final Duration START = Duration.ofMinutes(3);
    static final Duration RUN = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final String bootstrapServers;
    private final ServiceProcess simulator;
    private final List<ServiceProcess> services = new ArrayList<>();
    private boolean simulatorReady;

    private PackagedBatchRun(String name, String bootstrapServers, ServiceProcess simulator) {
        this.name = name;
        this.bootstrapServers = bootstrapServers;
        this.simulator = simulator;
    }

    /** Starts the simulator (readiness is awaited with the first service) and empties schema and groups. */
    static PackagedBatchRun begin(String name) {
        return begin(name, UnaryOperator.identity());
    }

    /** As {@link #begin(String)}, with the simulator's process spec changed by {@code simulatorSpec} (its heap). */
    static PackagedBatchRun begin(String name, UnaryOperator<ServiceProcess.Spec> simulatorSpec) {
        ServiceProcess simulator = simulatorSpec.apply(ServiceProcess.spec(name + "-simulator", "simulator")
                // no database and no Kafka: point both at ports where nothing listens
                .with("batchwise.db.port", 1).with("kafka.bootstrap.servers", "127.0.0.1:1"))
                .start();
        try {
            String bootstrap = LocalKafkaResource.bootstrapServers();
            Db.resetSchema();
            KafkaGroups.skipToEnd(bootstrap);
            return new PackagedBatchRun(name, bootstrap, simulator);
        } catch (RuntimeException | Error e) {
            simulator.close();
            throw e;
        }
    }

    ServiceProcess simulator() {
        return simulator;
    }

    /** The service at test speed, on the test database and broker, every provider call to the simulator. */
    ServiceProcess.Spec service(String instance) {
        String sim = simulator.baseUrl();
        return ServiceProcess.spec(name + "-" + instance, "demo")
                .with("batchwise.demo.run-atoms", 0)
                .with("batchwise.db.name", Db.name())
                .with("batchwise.db.host", Db.host())
                .with("batchwise.db.port", Db.port())
                .with("kafka.bootstrap.servers", bootstrapServers)
                // a killed instance stays in its consumer groups until its session times out (45 s by default),
                // and until then nobody reads the partitions it had: the restarted one would wait that long
                .with("kafka.session.timeout.ms", 6000)
                .with("kafka.heartbeat.interval.ms", 1000)
                .with("batchwise.simulator.enabled", false)
                .with("llm.anthropic.base-url", sim + "/sim/anthropic")
                .with("llm.openai.base-url", sim + "/sim/openai/v1")
                .with("batch.poll-interval-ms", 200)
                .with("batch.claim-lease-ms", 2000)
                .with("batchwise.poller.interval", "100ms")
                .with("batchwise.outbox.relay-interval", "200ms")
                .with("batchwise.realtime-runs.sweep-interval", "1s")
                .with("batch.max-requests-per-batch", 200)
                .with("batch.collect-chunk-size", 50)
                .with("quarkus.log.category.\"dev.batchwise.batch\".level", "DEBUG");
    }

    /** Starts a service process, and waits until it (and the simulator) are ready. */
    ServiceProcess start(ServiceProcess.Spec spec) {
        ServiceProcess service = spec.start();
        services.add(service);
        awaitSimulator();
        return service.awaitReady(START);
    }

    /** Starts several service processes at once (their start-ups overlap), and waits until all are ready. */
    List<ServiceProcess> startAll(ServiceProcess.Spec... specs) {
        List<ServiceProcess> started = new ArrayList<>();
        for (ServiceProcess.Spec spec : specs) {
            ServiceProcess service = spec.start();
            services.add(service);
            started.add(service);
        }
        awaitSimulator();
        started.forEach(service -> service.awaitReady(START));
        return started;
    }

    private void awaitSimulator() {
        if (!simulatorReady) {
            simulator.awaitReady(START);
            simulatorReady = true;
        }
    }

    /** Sets simulator knobs ({@code PUT /sim/config}, camelCase names) and starts its counters from zero. */
    void configureSimulator(Map<String, Object> knobs) throws IOException {
        awaitSimulator();
        HttpResponse<String> put = simulator.put("/sim/config", JSON.writeValueAsString(knobs));
        assertEquals(200, put.statusCode(), put.body());
        assertEquals(200, simulator.delete("/sim/stats").statusCode());
    }

    /** {@code GET /sim/stats} of one provider ({@code anthropic}, {@code openai}). */
    JsonNode simulatorStats(String provider) throws IOException {
        HttpResponse<String> stats = simulator.get("/sim/stats");
        assertEquals(200, stats.statusCode(), stats.body());
        return JSON.readTree(stats.body()).get(provider);
    }

    /** Posts a run of {@code atoms} distinct atoms in batch mode; answered 202. */
    static void postRun(ServiceProcess service, String runId, int atoms, String provider) throws IOException {
        ObjectNode run = JSON.createObjectNode().put("runId", runId);
        ArrayNode list = run.putArray("atoms");
        for (int i = 0; i < atoms; i++) {
            list.addObject().put("tempId", "atom-" + i)
                    .put("description", "Invoice " + (10_000 + i) + " matches purchase order " + (70_000 + 7 * i)
                            + " for " + (i % 13 + 1) + " units")
                    .put("category", i % 3 == 0 ? "invoice" : i % 3 == 1 ? "payment" : "ledger");
        }
        run.putObject("options").put("provider", provider).put("mode", "batch");
        HttpResponse<String> posted = service.post("/api/runs", JSON.writeValueAsString(run));
        assertEquals(202, posted.statusCode(), posted.body());
    }

    /** Waits until {@code GET /api/runs/{runId}} says verified (fails at once if it says failed). */
    static void awaitVerified(ServiceProcess service, String runId) {
        try {
            Awaitility.await("run " + runId + " verified").atMost(RUN).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        if (!service.isAlive()) {
                            throw new AssertionError(service.name() + " died:\n" + service.tail(60));
                        }
                        HttpResponse<String> state;
                        try {
                            state = service.get("/api/runs/" + runId);
                        } catch (IOException busy) {
                            return false; // a connect that timed out on a loaded machine: asked again
                        }
                        if (state.statusCode() != 200) {
                            return false;
                        }
                        String status = JSON.readTree(state.body()).path("status").asText();
                        if ("failed".equals(status)) {
                            throw new AssertionError("run " + runId + " failed: " + state.body());
                        }
                        return "verified".equals(status);
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("run " + runId + " not verified within " + RUN + "; " + summary(runId) + "\n"
                    + service.tail(80), e);
        }
    }

    /** Polls the database until {@code condition} holds; the scenario's own steps, never a sleep. */
    static void awaitDb(String what, java.util.concurrent.Callable<Boolean> condition, ServiceProcess... watched) {
        try {
            Awaitility.await(what).atMost(RUN).pollInterval(Duration.ofMillis(100)).until(condition);
        } catch (ConditionTimeoutException e) {
            StringBuilder logs = new StringBuilder();
            for (ServiceProcess service : watched) {
                logs.append('\n').append(service.tail(60));
            }
            throw new AssertionError(what + ": not within " + RUN + logs, e);
        }
    }

    /** The run's jobs, items and atoms in a few lines, for failure messages. */
    static String summary(String runId) {
        if (!Db.hasTable("batch_jobs")) {
            return "no schema yet";
        }
        return "jobs " + Db.rows("select status, provider_batch_id is not null as has_batch, completed_at is not null"
                        + " as done, count(*) as n from batch_jobs where reconciliation_run_id = ? group by 1, 2, 3", runId)
                + "; items " + Db.rows("select i.status, i.attempts, i.result_source, count(*) as n from batch_items i"
                        + " join batch_jobs j on j.id = i.job_id where j.reconciliation_run_id = ? group by 1, 2, 3", runId)
                + "; run " + Db.rows("select status from reconciliation_runs where run_id = ?", runId);
    }

    /**
     * Exactly once, end to end: every atom has exactly one item, sent once, in its job's provider batch, answered
     * there and recorded on the atom; one provider batch per job and no real-time call.
     */
    void assertExactlyOnce(String runId, int atoms, String provider, int maxPerBatch) throws IOException {
        String context = summary(runId);
        assertEquals("VERIFIED", Db.rows("select status from reconciliation_runs where run_id = ?", runId)
                .get(0).get("status"), context);

        List<Map<String, Object>> jobs = Db.rows("select id, status, provider, provider_batch_id, completed_at,"
                + " total_requests from batch_jobs where reconciliation_run_id = ? order by chunk_index", runId);
        int expectedJobs = (atoms + maxPerBatch - 1) / maxPerBatch;
        assertEquals(expectedJobs, jobs.size(), "jobs of the run: " + context);
        for (Map<String, Object> job : jobs) {
            assertEquals("COMPLETED", job.get("status"), "job " + job);
            assertEquals(provider.toUpperCase(java.util.Locale.ROOT), job.get("provider"), "job " + job);
            assertTrue(job.get("provider_batch_id") != null && job.get("completed_at") != null, "job " + job);
        }
        assertEquals(jobs.size(), jobs.stream().map(job -> job.get("provider_batch_id")).distinct().count(),
                "one provider batch per job: " + jobs);

        String items = " from batch_items i join batch_jobs j on j.id = i.job_id where j.reconciliation_run_id = ?";
        assertEquals(atoms, Db.number("select count(*)" + items, runId), context);
        assertEquals(atoms, Db.number("select count(*)" + items + " and i.status = 'SUCCEEDED'", runId),
                "every item SUCCEEDED: " + context);
        assertEquals(atoms, Db.number("select count(*)" + items + " and i.attempts = 1", runId),
                "every item sent exactly once: " + context);
        assertEquals(atoms, Db.number("select count(*)" + items + " and i.result_source = 'BATCH'", runId),
                "every result from the batch: " + context);

        assertEquals(atoms, Db.number("select count(*) from atoms where run_id = ?", runId));
        assertEquals(atoms, Db.number("select count(*) from atoms where run_id = ? and scored_at is not null", runId),
                "every atom has its outcome: " + context);
        List<Map<String, Object>> notOnce = Db.rows("select a.temp_id, count(i.id) as items from atoms a left join"
                + " batch_items i on i.atom_id = a.id where a.run_id = ? group by a.temp_id having count(i.id) <> 1"
                + " limit 10", runId);
        assertEquals(List.of(), notOnce, "atoms without exactly one item");

        JsonNode stats = simulatorStats(provider);
        assertEquals(jobs.size(), stats.get("batchesCreated").asLong(), "provider batches created: " + stats);
        assertEquals(atoms, stats.get("batchRequests").asLong(), "requests sent in batches: " + stats);
        assertEquals(0, stats.get("realtimeCalls").asLong(), "real-time calls: " + stats);
        String other = "anthropic".equals(provider) ? "openai" : "anthropic";
        JsonNode untouched = simulatorStats(other);
        assertEquals(0, untouched.get("batchesCreated").asLong() + untouched.get("realtimeCalls").asLong(),
                other + " was not used: " + untouched);
    }

    /** The run's jobs that have a provider batch id stored. */
    static long jobsWithBatch(String runId) {
        return Db.hasTable("batch_jobs") ? Db.number("select count(*) from batch_jobs where reconciliation_run_id = ?"
                + " and provider_batch_id is not null", runId) : 0;
    }

    static Map<String, Long> itemsByStatus(String runId) {
        if (!Db.hasTable("batch_items")) {
            return Map.of();
        }
        return Db.rows("select i.status, count(*) as n from batch_items i join batch_jobs j on j.id = i.job_id"
                        + " where j.reconciliation_run_id = ? group by i.status", runId).stream()
                .collect(Collectors.toMap(row -> (String) row.get("status"), row -> ((Number) row.get("n")).longValue()));
    }

    /** Stops every service process (gracefully, so consumers commit), then the simulator. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (ServiceProcess service : services) {
            try {
                service.close();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        simulator.close();
        if (failure != null) {
            throw failure;
        }
    }
}
